"""Small declarative objects the protocol is made of (clinicedc's ``Visit`` idea, no registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Arm:
    code: str
    label: str


@dataclass(frozen=True)
class Stratum:
    code: str
    label: str


@dataclass(frozen=True)
class ThresholdStratification:
    """Stratum from a score: ``high`` when score >= cut_off, else ``low``."""

    instrument: str
    cut_off: int
    high: str
    low: str
    rationale: str

    def stratum_for(self, score: int | float) -> str:
        return self.high if score >= self.cut_off else self.low


class Anchor(StrEnum):
    """The event a visit's timing is counted from."""

    SCREENING = "screening"
    CONSENT = "consent"
    SESSION_1 = "session_1"  # the first supervised session = the randomisation date
    FINAL_SESSION = "final_session"


@dataclass(frozen=True)
class Window:
    """Allowed days relative to the anchor, both ends inclusive."""

    earliest: int
    latest: int

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise ValueError(f"Window earliest {self.earliest} is after latest {self.latest}.")


@dataclass(frozen=True)
class Visit:
    code: str
    label: str
    anchor: Anchor
    offset: int  # target day relative to the anchor
    window: Window
    forms: tuple[str, ...] = ()
    optional: bool = False  # e.g. interviews: only for those invited

    def target_date(self, anchor_date: dt.date) -> dt.date:
        return anchor_date + dt.timedelta(days=self.offset)

    def window_dates(self, anchor_date: dt.date) -> tuple[dt.date, dt.date]:
        return (
            anchor_date + dt.timedelta(days=self.window.earliest),
            anchor_date + dt.timedelta(days=self.window.latest),
        )

    def in_window(self, anchor_date: dt.date, on: dt.date) -> bool:
        start, end = self.window_dates(anchor_date)
        return start <= on <= end


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Criterion:
    """One eligibility rule. ``test`` answers "does the criterion hold?"; None means unknown.

    An inclusion criterion must hold; an exclusion criterion must not.
    """

    code: str
    kind: CriterionKind
    label: str
    test: Callable[[Mapping[str, object]], bool | None]
    needs: tuple[str, ...] = ()  # the facts it reads (so missing data is named)


@dataclass(frozen=True)
class SessionPlan:
    total: int
    per_week: int
    weeks: int
    templates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Protocol:
    registration: str
    version: str
    target_sample_size: int
    arms: tuple[Arm, ...]
    strata: tuple[Stratum, ...]
    stratification: ThresholdStratification
    criteria: tuple[Criterion, ...]
    visits: tuple[Visit, ...]
    sessions: SessionPlan

    def visit(self, code: str) -> Visit:
        for visit in self.visits:
            if visit.code == code:
                return visit
        raise KeyError(f"No visit {code!r} in protocol {self.version}.")

    def arm(self, code: str) -> Arm:
        for arm in self.arms:
            if arm.code == code:
                return arm
        raise KeyError(f"No arm {code!r} in protocol {self.version}.")
