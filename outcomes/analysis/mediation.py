"""Mediation by the product of coefficients, with a seeded percentile bootstrap (RQ2: does the
change in multifidus fat fraction carry the effect of the arm on the change in disability?).

a: mediator ~ arm + covariates; b: outcome ~ arm + mediator + covariates (b is the mediator's
coefficient, c' the arm's). Indirect = a·b; total = c' + a·b (exact for OLS on the same rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Mediation:
    a: float
    b: float
    direct: float
    indirect: float
    indirect_ci: tuple[float, float]
    total: float
    proportion_mediated: float | None
    n: int
    resamples: int
    seed: int


def _coefficients(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(x, y, rcond=None)[0]


def _paths(
    arm: np.ndarray, mediator: np.ndarray, outcome: np.ndarray, covariates: np.ndarray
) -> tuple[float, float, float]:
    ones = np.ones((len(arm), 1))
    a = _coefficients(np.column_stack([ones, arm, covariates]), mediator)[1]
    fit_b = _coefficients(np.column_stack([ones, arm, mediator, covariates]), outcome)
    return float(a), float(fit_b[2]), float(fit_b[1])


def mediation(
    frame: pd.DataFrame,
    arm: str,
    mediator: str,
    outcome: str,
    covariates: Sequence[str] = (),
    resamples: int = 2000,
    seed: int = 20261201,
    level: float = 0.95,
) -> Mediation:
    complete = frame.dropna(subset=[arm, mediator, outcome, *covariates])
    needed = len(covariates) + 5
    if len(complete) < needed:
        raise ValueError(
            f"needs at least {needed} participants with the arm, {mediator}, {outcome} and every "
            f"covariate; {len(complete)} have them."
        )
    x = complete[arm].to_numpy(dtype=float)
    m = complete[mediator].to_numpy(dtype=float)
    y = complete[outcome].to_numpy(dtype=float)
    c = complete[list(covariates)].to_numpy(dtype=float).reshape(len(complete), -1)
    a, b, direct = _paths(x, m, y, c)
    rng = np.random.default_rng(seed)
    draws = np.empty(resamples)
    for r in range(resamples):
        rows = rng.integers(0, len(x), len(x))
        ra, rb, _ = _paths(x[rows], m[rows], y[rows], c[rows])
        draws[r] = ra * rb
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    total = direct + a * b
    return Mediation(
        a,
        b,
        direct,
        a * b,
        (float(low), float(high)),
        total,
        (a * b / total) if abs(total) > 1e-12 else None,
        len(x),
        resamples,
        seed,
    )
