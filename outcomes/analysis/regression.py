"""Ordinary least squares for the SAP's models, with the effect of one term and its interval
(pure numpy/scipy: no Django, no formula parser, so the design matrix is explicit and testable).

The primary model is ANCOVA: ``outcome ~ arm + baseline + stratum``; secondary outcomes use the
same model. Categorical covariates become treatment-coded dummies (first level dropped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Effect:
    """One coefficient with its standard error, two-sided 95 % interval and p-value."""

    term: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n: int
    df: float

    def describe(self, digits: int = 2) -> str:
        return (
            f"{self.estimate:.{digits}f} (95 % CI {self.ci_low:.{digits}f} to "
            f"{self.ci_high:.{digits}f}; p = {self.p_value:.3g}; n = {self.n})"
        )


@dataclass(frozen=True)
class Fit:
    """A fitted linear model: coefficients by term name, their covariance, residual df."""

    terms: tuple[str, ...]
    coefficients: np.ndarray
    covariance: np.ndarray
    df_resid: float
    n: int

    def effect(self, term: str, level: float = 0.95) -> Effect:
        i = self.terms.index(term)
        return effect_from(
            term,
            float(self.coefficients[i]),
            float(np.sqrt(self.covariance[i, i])),
            self.df_resid,
            self.n,
            level,
        )

    def combination(self, weights: dict[str, float], name: str, level: float = 0.95) -> Effect:
        """A linear combination of coefficients (e.g. a simple slope), with its own SE."""
        w = np.array([weights.get(term, 0.0) for term in self.terms])
        estimate = float(w @ self.coefficients)
        se = float(np.sqrt(w @ self.covariance @ w))
        return effect_from(name, estimate, se, self.df_resid, self.n, level)


def effect_from(
    term: str, estimate: float, se: float, df: float, n: int, level: float = 0.95
) -> Effect:
    t = stats.t.ppf(0.5 + level / 2, df) if np.isfinite(df) else stats.norm.ppf(0.5 + level / 2)
    p = (
        2
        * (
            stats.t.sf(abs(estimate / se), df)
            if np.isfinite(df)
            else stats.norm.sf(abs(estimate / se))
        )
        if se > 0
        else float("nan")
    )
    return Effect(term, estimate, se, estimate - t * se, estimate + t * se, float(p), n, df)


def design(
    frame: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    interactions: Sequence[tuple[str, str]] = (),
) -> tuple[np.ndarray, tuple[str, ...]]:
    """An intercept, the numeric columns, each product of ``interactions`` (``a:b``), then
    treatment-coded dummies of the categorical columns (``column[level]``)."""
    columns = [np.ones(len(frame))]
    names = ["Intercept"]
    for name in numeric:
        columns.append(frame[name].to_numpy(dtype=float))
        names.append(name)
    for a, b in interactions:
        columns.append(frame[a].to_numpy(dtype=float) * frame[b].to_numpy(dtype=float))
        names.append(f"{a}:{b}")
    for name in categorical:
        levels = sorted(frame[name].dropna().unique())
        for level in levels[1:]:
            columns.append((frame[name] == level).to_numpy(dtype=float))
            names.append(f"{name}[{level}]")
    return np.column_stack(columns), tuple(names)


def ols(
    frame: pd.DataFrame,
    outcome: str,
    numeric: Sequence[str],
    categorical: Sequence[str] = (),
    interactions: Sequence[tuple[str, str]] = (),
) -> Fit:
    """Least squares on the complete cases of the model's columns."""
    used = [outcome, *numeric, *categorical]
    complete = frame.dropna(subset=used)
    if complete.empty:
        raise ValueError(f"{outcome}: no participant has this outcome and every covariate.")
    x, names = design(complete, numeric, categorical, interactions)
    y = complete[outcome].to_numpy(dtype=float)
    n, p = x.shape
    if n <= p:
        raise ValueError(f"{outcome}: {n} complete cases cannot fit {p} coefficients.")
    if np.linalg.matrix_rank(x) < p:
        raise ValueError(f"{outcome}: the design is singular (a covariate has one value?).")
    coefficients, *_ = np.linalg.lstsq(x, y, rcond=None)
    residuals = y - x @ coefficients
    sigma2 = residuals @ residuals / (n - p)
    covariance = sigma2 * np.linalg.inv(x.T @ x)
    return Fit(names, coefficients, covariance, float(n - p), n)


def ancova(
    frame: pd.DataFrame,
    outcome: str,
    baseline: str | None,
    arm: str = "arm",
    categorical: Sequence[str] = ("stratum",),
) -> Effect:
    """The adjusted difference between arms (``arm`` coded 1 = experimental, 0 = control)."""
    numeric = [arm, *([baseline] if baseline else [])]
    return ols(frame, outcome, numeric, categorical).effect(arm)
