"""The statistical analysis plan run on an analysis dataset (pure: pandas and numpy, no Django).

Every analysis that cannot be estimated says why instead of failing the report or guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from outcomes.analysis.imputation import analyse_imputed
from outcomes.analysis.mediation import Mediation, mediation
from outcomes.analysis.moderation import Moderation, moderation
from outcomes.analysis.regression import Effect, ancova
from randomization.blinding_index import IndexEstimate, bang_with_ci, james_index
from trial.protocol.analysis import AnalysisOutcome, AnalysisPlan

ARM = "arm_experimental"


@dataclass(frozen=True)
class OutcomeResult:
    outcome: AnalysisOutcome
    population: str
    method: str
    effect: Effect | None
    means: dict[str, float | None]  # arm -> mean at the endpoint
    problem: str = ""


@dataclass
class SapResult:
    primary: list[OutcomeResult] = field(default_factory=list)
    secondary: list[OutcomeResult] = field(default_factory=list)
    mediation: Mediation | None = None
    mediation_problem: str = ""
    moderation: Moderation | None = None
    moderation_problem: str = ""
    bang: dict[str, IndexEstimate | None] = field(default_factory=dict)
    james: IndexEstimate | None = None
    blinding_problem: str = ""
    table1: pd.DataFrame | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _covariates(frame: pd.DataFrame) -> tuple[str, ...]:
    return ("stratum",) if frame["stratum"].notna().all() and frame["stratum"].nunique() > 1 else ()


def _means(frame: pd.DataFrame, column: str) -> dict[str, float | None]:
    grouped = frame.groupby("arm")[column].mean()
    return {str(arm): (None if pd.isna(m) else float(m)) for arm, m in grouped.items()}


def _complete_case(
    frame: pd.DataFrame,
    outcome: AnalysisOutcome,
    population: str,
    method: str = "ANCOVA, complete cases",
) -> OutcomeResult:
    end = f"{outcome.code}_16"
    baseline = f"{outcome.code}_0" if outcome.adjust_for_baseline else None
    try:
        effect = ancova(frame, end, baseline, ARM, _covariates(frame))
    except (ValueError, KeyError) as error:
        return OutcomeResult(outcome, population, method, None, _means(frame, end), str(error))
    return OutcomeResult(outcome, population, method, effect, _means(frame, end))


def _imputed(frame: pd.DataFrame, plan: AnalysisPlan) -> OutcomeResult:
    outcome = plan.primary
    end, base = f"{outcome.code}_16", f"{outcome.code}_0"
    method = f"ANCOVA, multiple imputation (m = {plan.imputations}, chained equations)"
    columns = [end, base, ARM, "adherence_pct"]
    if _covariates(frame):
        columns.append("stratum_high")
    data = frame.copy()
    data["adherence_pct"] = data["adherence_pct"].astype(float)
    try:
        pooled = analyse_imputed(
            data,
            columns,
            lambda d: ancova(d, end, base, ARM, _covariates(frame)),
            m=plan.imputations,
            seed=plan.seed,
        )
    except (ValueError, KeyError, ZeroDivisionError) as error:
        return OutcomeResult(
            outcome, plan.primary_population, method, None, _means(frame, end), str(error)
        )
    return OutcomeResult(
        outcome, plan.primary_population, method, pooled.effect, _means(frame, end)
    )


def run(frame: pd.DataFrame, plan: AnalysisPlan, real_arms: bool) -> SapResult:
    result = SapResult()
    itt = frame[frame["in_itt"] == 1]
    pp = frame[frame["in_pp"] == 1] if "in_pp" in frame else frame.iloc[0:0]
    result.counts = {
        "randomised": len(frame),
        "itt": len(itt),
        "pp": len(pp),
        "endpoint": int(itt[f"{plan.primary.code}_16"].notna().sum()),
    }
    result.primary = [
        _imputed(itt, plan),
        _complete_case(itt, plan.primary, "itt"),
        _complete_case(pp, plan.primary, "pp"),
    ]
    result.secondary = [_complete_case(itt, o, "itt") for o in plan.outcomes if not o.primary]
    _mediation(itt, plan, result)
    _moderation(itt, plan, result)
    _blinding(itt, real_arms, result)
    result.table1 = table1(itt, plan)
    return result


def _mediation(itt: pd.DataFrame, plan: AnalysisPlan, result: SapResult) -> None:
    mediator, outcome = f"{plan.mediator}_chg", f"{plan.mediated}_chg"
    covariates = [f"{plan.mediator}_0", f"{plan.mediated}_0"]
    try:
        result.mediation = mediation(
            itt, ARM, mediator, outcome, covariates, plan.bootstrap_resamples, plan.seed
        )
    except (ValueError, KeyError, ZeroDivisionError) as error:
        result.mediation_problem = str(error)


def _moderation(itt: pd.DataFrame, plan: AnalysisPlan, result: SapResult) -> None:
    code = plan.primary.code
    try:
        if itt["lsiq_0"].isna().all():
            raise ValueError("the baseline LSIQ is hidden from this reader or missing")
        data = itt.assign(lsiq_0=itt["lsiq_0"].astype(float))
        result.moderation = moderation(
            data, f"{code}_16", "lsiq_0", ARM, f"{code}_0", _covariates(itt)
        )
    except (ValueError, KeyError, ZeroDivisionError) as error:
        result.moderation_problem = str(error)


def _blinding(itt: pd.DataFrame, real_arms: bool, result: SapResult) -> None:
    if not real_arms:
        result.blinding_problem = "needs the real arms: computed after unblinding"
        return
    guessed = itt[itt["blinding_guess"].notna()]
    pairs = list(zip(guessed["arm"], guessed["blinding_guess"], strict=True))
    arms = sorted(itt["arm"].dropna().unique())
    if not pairs:
        result.blinding_problem = "no assessor's guesses recorded"
        return
    result.bang = bang_with_ci(pairs, arms)
    result.james = james_index(pairs, arms) if len(arms) == 2 else None


def table1(itt: pd.DataFrame, plan: AnalysisPlan) -> pd.DataFrame:
    """Baseline characteristics by arm: mean (SD) and n of each baseline outcome."""
    rows = []
    for outcome in plan.outcomes:
        column = f"{outcome.code}_0"
        if not outcome.adjust_for_baseline or itt[column].isna().all():
            continue
        row = {
            "characteristic": f"{outcome.label} ({outcome.unit})" if outcome.unit else outcome.label
        }
        for arm, group in itt.groupby("arm"):
            values = group[column].dropna().astype(float)
            row[str(arm)] = (
                f"{values.mean():.1f} ({values.std(ddof=1):.1f}), n = {len(values)}"
                if len(values) > 1
                else f"n = {len(values)}"
            )
        rows.append(row)
    return pd.DataFrame(rows)
