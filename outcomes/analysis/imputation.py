"""Multiple imputation by chained equations and Rubin's rules (pure numpy).

Each incomplete variable is imputed in turn from all the others by Bayesian linear regression
with a draw of the parameters (van Buuren's ``norm`` method), cycling ``iterations`` times per
imputed dataset; a seeded ``numpy.random.Generator`` makes every run reproducible. The analysis
model is fitted to each completed dataset and the results pooled with Rubin's rules and the
Barnard-Rubin degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from outcomes.analysis.regression import Effect, effect_from


@dataclass(frozen=True)
class Pooled:
    effect: Effect
    imputations: int
    missing_fraction: float  # share of rows with any imputed value
    between_variance: float
    within_variance: float


def impute(
    frame: pd.DataFrame, columns: Sequence[str], m: int, seed: int, iterations: int = 10
) -> list[pd.DataFrame]:
    """``m`` completed copies of ``frame``; only the numeric ``columns`` take part."""
    rng = np.random.default_rng(seed)
    data = frame[list(columns)].to_numpy(dtype=float)
    missing = np.isnan(data)
    incomplete = [j for j in range(data.shape[1]) if missing[:, j].any()]
    for j in range(data.shape[1]):
        if missing[:, j].all():
            raise ValueError(f"{columns[j]} has no observed value to impute from.")
    completed = []
    for _ in range(m):
        work = data.copy()
        for j in incomplete:  # start from random observed values
            observed = work[~missing[:, j], j]
            work[missing[:, j], j] = rng.choice(observed, size=missing[:, j].sum())
        for _ in range(iterations if incomplete else 0):
            for j in incomplete:
                work[missing[:, j], j] = _draw(work, missing[:, j], j, rng)
        copy = frame.copy()
        copy[list(columns)] = work
        completed.append(copy)
    return completed


def _draw(work: np.ndarray, missing: np.ndarray, j: int, rng: np.random.Generator) -> np.ndarray:
    """Bayesian linear regression of column j on the others (Rubin 1987, p. 167)."""
    others = np.delete(work, j, axis=1)
    x = np.column_stack([np.ones(len(work)), others])
    xo, yo = x[~missing], work[~missing, j]
    n, p = xo.shape
    ridge = 1e-5 * np.eye(p)  # van Buuren's small ridge keeps collinear predictors usable
    inverse = np.linalg.inv(xo.T @ xo + ridge)
    beta_hat = inverse @ xo.T @ yo
    residuals = yo - xo @ beta_hat
    sigma = np.sqrt(residuals @ residuals / rng.chisquare(max(n - p, 1)))
    beta = beta_hat + sigma * np.linalg.cholesky(inverse + 1e-12 * np.eye(p)) @ rng.standard_normal(
        p
    )
    xm = x[missing]
    return xm @ beta + sigma * rng.standard_normal(len(xm))


def pool(effects: Sequence[Effect], df_complete: float) -> tuple[Effect, float, float]:
    """Rubin's rules: the mean estimate; total variance W + (1 + 1/m) B; Barnard-Rubin df.
    With identical fits (nothing was missing) B = 0 and the complete-data result comes back."""
    m = len(effects)
    estimates = np.array([e.estimate for e in effects])
    variances = np.array([e.se**2 for e in effects])
    q = float(estimates.mean())
    within = float(variances.mean())
    between = float(estimates.var(ddof=1)) if m > 1 else 0.0
    if between <= 1e-12 * within:  # identical fits, up to rounding
        between = 0.0
    total = within + (1 + 1 / m) * between
    if between == 0.0:
        df = df_complete
    else:
        lam = (1 + 1 / m) * between / total
        df_old = (m - 1) / lam**2
        df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
        df = df_old * df_obs / (df_old + df_obs)
    n = effects[0].n
    return effect_from(effects[0].term, q, float(np.sqrt(total)), df, n), between, within


def analyse_imputed(
    frame: pd.DataFrame,
    columns: Sequence[str],
    fit: Callable[[pd.DataFrame], Effect],
    m: int = 20,
    seed: int = 20261201,
    iterations: int = 10,
) -> Pooled:
    """Impute ``m`` times, fit each completed dataset, pool (Rubin's rules)."""
    datasets = impute(frame, columns, m, seed, iterations)
    effects = [fit(d) for d in datasets]
    effect, between, within = pool(effects, effects[0].df)
    incomplete = float(frame[list(columns)].isna().any(axis=1).mean())
    return Pooled(effect, m, incomplete, between, within)
