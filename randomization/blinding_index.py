"""Bang's blinding index per arm (pure Python).

Bang, Ni & Davis 2004, Control Clin Trials 25:143: for the participants of one arm,
BI = (correct - incorrect) / all guesses, "do not know" counted in the denominator only.
BI = 1: everyone guessed right (blinding failed); 0: guessing at random; -1: all guessed the
other arm. None when the arm has no guesses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def bang_index(
    pairs: Iterable[tuple[str, str]], arms: Sequence[str], dont_know: str = "dont_know"
) -> dict[str, float | None]:
    """``pairs`` are (true arm, guess) for each guessed participant."""
    correct = dict.fromkeys(arms, 0)
    incorrect = dict.fromkeys(arms, 0)
    total = dict.fromkeys(arms, 0)
    for true_arm, guess in pairs:
        total[true_arm] += 1
        if guess == dont_know:
            continue
        if guess == true_arm:
            correct[true_arm] += 1
        else:
            incorrect[true_arm] += 1
    return {
        arm: (correct[arm] - incorrect[arm]) / total[arm] if total[arm] else None for arm in arms
    }
