"""Bang's blinding index per arm (pure Python).

Bang, Ni & Davis 2004, Control Clin Trials 25:143: for the participants of one arm,
BI = (correct - incorrect) / all guesses, "do not know" counted in the denominator only.
BI = 1: everyone guessed right (blinding failed); 0: guessing at random; -1: all guessed the
other arm. None when the arm has no guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist


def bang_index(
    pairs: Iterable[tuple[str, str]], arms: Sequence[str], dont_know: str = "dont_know"
) -> dict[str, float | None]:
    """``pairs`` are (true arm, guess) for each guessed participant."""
    return {
        arm: None if value is None else value.estimate
        for arm, value in bang_with_ci(pairs, arms, dont_know).items()
    }


@dataclass(frozen=True)
class IndexEstimate:
    """A blinding index with its standard error and a normal-approximation interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def bang_with_ci(
    pairs: Iterable[tuple[str, str]],
    arms: Sequence[str],
    dont_know: str = "dont_know",
    level: float = 0.95,
) -> dict[str, IndexEstimate | None]:
    """Bang's index per arm with Var(BI) = (p_c + p_i - (p_c - p_i)²) / n (Bang 2004, the
    multinomial variance of p_correct - p_incorrect)."""
    counts = {arm: [0, 0, 0] for arm in arms}  # correct, incorrect, do not know
    for true_arm, guess in pairs:
        column = 2 if guess == dont_know else (0 if guess == true_arm else 1)
        counts[true_arm][column] += 1
    out: dict[str, IndexEstimate | None] = {}
    for arm, (correct, incorrect, unsure) in counts.items():
        n = correct + incorrect + unsure
        if not n:
            out[arm] = None
            continue
        pc, pi = correct / n, incorrect / n
        se = sqrt(max(pc + pi - (pc - pi) ** 2, 0.0) / n)
        estimate = (correct - incorrect) / n
        out[arm] = IndexEstimate(
            estimate, se, estimate - _z(level) * se, estimate + _z(level) * se, n
        )
    return out


JAMES_WEIGHTS = ((0.0, 0.5), (0.5, 0.0))  # correct 0, incorrect 0.5 (James 1996; "do not know" 1)


def james_index(
    pairs: Iterable[tuple[str, str]],
    arms: Sequence[str],
    dont_know: str = "dont_know",
    level: float = 0.95,
) -> IndexEstimate | None:
    """James' index over both arms: 1 = complete blinding, 0.5 = random guessing, 0 = complete
    unblinding; variance by the delta method of James et al. (1996), as in the R package BI."""
    if len(arms) != 2:
        raise ValueError("James' index is defined for two arms.")
    table = [[0, 0], [0, 0], [0, 0]]  # rows: guess arm 0, guess arm 1, do not know; cols: arm
    for true_arm, guess in pairs:
        row = 2 if guess == dont_know else arms.index(guess)
        table[row][arms.index(true_arm)] += 1
    n = sum(map(sum, table))
    if not n:
        return None
    p = [[cell / n for cell in row] for row in table]
    row_total = [sum(row) for row in p]
    col_total = [p[0][j] + p[1][j] + p[2][j] for j in range(2)]
    p_dk = row_total[2]
    if p_dk >= 1.0:
        return IndexEstimate(1.0, 0.0, 1.0, 1.0, n)
    w = JAMES_WEIGHTS
    known = [col_total[j] - p[2][j] for j in range(2)]  # column share without "do not know"
    expected = sum(w[i][j] * row_total[i] * known[j] for i in range(2) for j in range(2))
    observed = sum(w[i][j] * p[i][j] for i in range(2) for j in range(2)) / (1 - p_dk)
    if expected == 0:
        return None  # every guess named one arm for one arm: kappa is undefined
    kappa = (observed - expected / (1 - p_dk) ** 2) / (expected / (1 - p_dk) ** 2)
    numerator = 0.0
    for i in range(2):
        for j in range(2):
            extra = sum(w[r][j] * row_total[r] + w[i][r] * known[r] for r in range(2))
            numerator += (
                p[i][j] * (1 - p_dk) ** 2 * ((1 - p_dk) * w[i][j] - (1 + kappa) * extra) ** 2
            )
    v1 = numerator / (4 * expected**2)
    v2 = p_dk * (1 - p_dk) - (1 - p_dk) * (1 + kappa) * (p_dk + (1 - p_dk) * (1 + kappa) / 4)
    se = sqrt(max((v1 + v2) / n, 0.0))
    estimate = (1 + p_dk + (1 - p_dk) * kappa) / 2
    return IndexEstimate(estimate, se, estimate - _z(level) * se, estimate + _z(level) * se, n)
