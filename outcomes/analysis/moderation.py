"""Moderation (RQ4): does the baseline LSIQ change the effect of the arm? An exploratory
interaction ``arm x LSIQ (centred)`` in the ANCOVA, with the arm's effect (simple slope) at the
LSIQ mean and ± 1 SD."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from outcomes.analysis.regression import Effect, ols


@dataclass(frozen=True)
class Moderation:
    interaction: Effect
    simple_slopes: tuple[tuple[str, float, Effect], ...]  # (label, moderator value, effect)
    moderator_mean: float
    moderator_sd: float


def moderation(
    frame: pd.DataFrame,
    outcome: str,
    moderator: str,
    arm: str = "arm",
    baseline: str | None = None,
    categorical: Sequence[str] = ("stratum",),
) -> Moderation:
    complete = frame.dropna(subset=[outcome, moderator, arm, *([baseline] if baseline else [])])
    mean, sd = float(complete[moderator].mean()), float(complete[moderator].std(ddof=1))
    data = complete.assign(_moderator_c=complete[moderator] - mean)
    numeric = [arm, "_moderator_c", *([baseline] if baseline else [])]
    fit = ols(data, outcome, numeric, categorical, interactions=[(arm, "_moderator_c")])
    term = f"{arm}:_moderator_c"
    interaction = fit.effect(term)
    interaction = Effect(f"{arm} x {moderator}", *list(vars(interaction).values())[1:])
    slopes = tuple(
        (label, mean + k * sd, fit.combination({arm: 1.0, term: k * sd}, f"{arm} at {label}"))
        for label, k in (("mean - 1 SD", -1), ("mean", 0), ("mean + 1 SD", 1))
    )
    return Moderation(interaction, slopes, mean, sd)
