"""The statistical analysis plan as declarative data: populations, outcomes and their derivation,
the mediation and moderation questions (pure Python; the analysis reads only this)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Combine(StrEnum):
    """How an analysis variable is made from export variables."""

    ONE = "one"  # exactly one variable
    MEAN = "mean"  # the mean of all of them (blank unless every one is present)
    SUM = "sum"  # the sum of all of them (blank unless every one is present)


@dataclass(frozen=True)
class AnalysisOutcome:
    """An outcome analysed by ANCOVA: the value at the baseline and endpoint visits, made from
    the visit's export variables by ``combine``; ``adjust_for_baseline`` when measured at both."""

    code: str
    label: str
    variables: tuple[str, ...]
    unit: str = ""
    combine: Combine = Combine.ONE
    adjust_for_baseline: bool = True
    primary: bool = False

    def __post_init__(self) -> None:
        if self.combine is Combine.ONE and len(self.variables) != 1:
            raise ValueError(f"{self.code}: 'one' combines exactly one variable.")
        if not self.variables:
            raise ValueError(f"{self.code}: no variables.")

    def derivation(self) -> str:
        if self.combine is Combine.ONE:
            return f"export variable {self.variables[0]}"
        return (f"{self.combine.value} of {len(self.variables)} export variables "
                f"({', '.join(self.variables)}); blank unless all are present")  # fmt: skip


@dataclass(frozen=True)
class Population:
    """An analysis population. Everyone randomised whose data may be used is in the
    intention-to-treat population; a per-protocol rule adds the conditions below."""

    code: str
    label: str
    min_attended_share: float = 0.0  # of the planned sessions
    endpoint_in_window: bool = False

    def rule(self) -> str:
        parts = ["randomised", "data use not withdrawn"]
        if self.min_attended_share:
            parts.append(f"attended ≥ {self.min_attended_share:.0%} of planned sessions")
        if self.endpoint_in_window:
            parts.append("endpoint visit inside its window")
        return "; ".join(parts)

    def includes(self, attended_share: float, endpoint_in_window: bool | None) -> bool:
        if attended_share < self.min_attended_share:
            return False
        return not (self.endpoint_in_window and not endpoint_in_window)


@dataclass(frozen=True)
class AnalysisPlan:
    populations: tuple[Population, ...]
    primary_population: str
    outcomes: tuple[AnalysisOutcome, ...]
    mediator: str  # the outcome whose change mediates (RQ2)
    mediated: str  # the outcome whose change is mediated
    moderator: str  # a baseline export variable (RQ4)
    imputations: int = 20
    bootstrap_resamples: int = 2000
    seed: int = 20240601

    def __post_init__(self) -> None:
        codes = {outcome.code for outcome in self.outcomes}
        for name in ("mediator", "mediated"):
            if getattr(self, name) not in codes:
                raise ValueError(f"{name} {getattr(self, name)!r} is not an analysis outcome.")
        if self.primary_population not in {p.code for p in self.populations}:
            raise ValueError(f"Unknown primary population {self.primary_population!r}.")
        if sum(outcome.primary for outcome in self.outcomes) != 1:
            raise ValueError("Exactly one analysis outcome is primary.")
        if self.imputations < 20 or self.bootstrap_resamples < 2000:
            raise ValueError("The SAP needs m ≥ 20 imputations and ≥ 2,000 bootstrap resamples.")

    @property
    def primary(self) -> AnalysisOutcome:
        return next(outcome for outcome in self.outcomes if outcome.primary)

    def outcome(self, code: str) -> AnalysisOutcome:
        return next(outcome for outcome in self.outcomes if outcome.code == code)
