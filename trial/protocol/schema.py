"""Small declarative objects the protocol is made of (clinicedc's ``Visit`` idea, no registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


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


class FormKind(StrEnum):
    CRF = "crf"  # a case-report form entered on a page of this system
    INSTRUMENT = "instrument"  # a scored questionnaire (outcomes.instruments)
    DEVICE = "device"  # a file from a device (MRI, MedX, DynaMo, actigraph) imported later
    APP = "app"  # an export from the participant's app (Manage My Pain)


@dataclass(frozen=True)
class FormSpec:
    code: str
    label: str
    kind: FormKind
    # Entered after the visit day (a device worn the following week, an app export, the
    # assessor's guess once outcomes are in): not required to mark the visit done.
    after_visit: bool = False


@dataclass(frozen=True)
class DeviceWear:
    """A device worn after a visit (the actigraph's week): its recording must start inside the
    visit's window, or within ``start_slack_days`` after it, and hold at least ``min_hours``."""

    form: str
    days: int
    min_hours: float
    start_slack_days: int = 1

    def problems(
        self, window: tuple[dt.date, dt.date], first: dt.datetime, last: dt.datetime
    ) -> list[str]:
        """Why a recording cannot belong to the visit (empty when it can)."""
        found = []
        earliest, latest = window[0], window[1] + dt.timedelta(days=self.start_slack_days)
        if not earliest <= first.date() <= latest:
            found.append(
                f"The recording starts on {first:%Y-%m-%d}, outside the visit's window "
                f"({window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}): is it this participant's "
                "file for this visit?"
            )
        hours = (last - first).total_seconds() / 3600
        if hours < self.min_hours:
            found.append(
                f"The recording holds {hours:.1f} hours; a wear week needs at least "
                f"{self.min_hours:g} hours (the protocol asks for {self.days} days)."
            )
        return found


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class Precondition:
    """A baseline form that must be complete before randomisation; the PI may waive it for one
    participant with a reason. ``label`` is shown to therapists, so it never names the
    stratification questionnaire."""

    form: str
    label: str


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
class Exercise:
    code: str
    label: str
    load_unit: str = "kg"  # "" when the exercise takes no external load
    dose_unit: str = "reps"  # "reps", or "s" for holds (plank, side bridge)


@dataclass(frozen=True)
class SessionTemplate:
    """What a supervised session of one arm contains; ``individualised`` exercises are named by
    the therapist at each session (motor control is tailored to the person)."""

    code: str
    label: str
    exercises: tuple[Exercise, ...]
    individualised: bool = False


@dataclass(frozen=True)
class SessionPlan:
    """``total`` sessions, ``per_week`` a week on ``day_offsets`` within the week, anchored on
    session 1. ``rotation[arm]`` lists each week's templates in order; weeks cycle through it."""

    total: int
    per_week: int
    weeks: int
    day_offsets: tuple[int, ...]
    templates: tuple[SessionTemplate, ...]
    rotation: Mapping[str, tuple[tuple[str, ...], ...]]

    def __post_init__(self) -> None:
        if self.total != self.per_week * self.weeks or len(self.day_offsets) != self.per_week:
            raise ValueError("Session plan: total must be per_week x weeks, one offset a session.")
        codes = {t.code for t in self.templates}
        for arm, weeks in self.rotation.items():
            for week in weeks:
                if len(week) != self.per_week or not set(week) <= codes:
                    raise ValueError(f"Session rotation for {arm} has a bad week {week!r}.")

    def week_of(self, number: int) -> int:
        """1-based programme week of session ``number``."""
        self._check(number)
        return (number - 1) // self.per_week + 1

    def planned_day(self, number: int) -> int:
        """Days after session 1 on which session ``number`` is planned."""
        self._check(number)
        week, slot = divmod(number - 1, self.per_week)
        return 7 * week + self.day_offsets[slot] - self.day_offsets[0]

    def template_for(self, arm: str, number: int) -> SessionTemplate:
        week, slot = divmod(number - 1, self.per_week)
        self._check(number)
        weeks = self.rotation[arm]
        code = weeks[week % len(weeks)][slot]
        return self.template(code)

    def template(self, code: str) -> SessionTemplate:
        for template in self.templates:
            if template.code == code:
                return template
        raise KeyError(f"No session template {code!r}.")

    def _check(self, number: int) -> None:
        if not 1 <= number <= self.total:
            raise ValueError(f"Session number must be 1 to {self.total}, not {number}.")


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
    forms: tuple[FormSpec, ...]
    # The primary outcome's form: entered by the blinded assessor, then double-entered.
    primary_outcome: str = ""
    # The visit whose measures precede randomisation (the stratification questionnaire's), and
    # the visit at which the primary outcome is analysed.
    baseline_visit: str = ""
    primary_endpoint_visit: str = ""
    # Words beyond the arm, template and exercise names that tell which arm someone is in
    # (equipment, methods): free text from unblinded staff is checked for all of them.
    arm_revealing_terms: tuple[str, ...] = ()
    # Baseline forms that must be complete before randomisation (each waivable by the PI).
    randomisation_preconditions: tuple[Precondition, ...] = ()
    # The statistical analysis plan (``trial.protocol.analysis.AnalysisPlan``).
    analysis: object | None = None
    # Devices worn after a visit, with what makes a recording plausible for it.
    device_wear: tuple[DeviceWear, ...] = ()

    def wear_for(self, form_code: str) -> DeviceWear | None:
        return next((wear for wear in self.device_wear if wear.form == form_code), None)

    def unblinding_vocabulary(self) -> tuple[str, ...]:
        """Every phrase that would tell a blinded reader the arm."""
        words = [*self.arm_revealing_terms]
        for arm in self.arms:
            words += [arm.code, arm.label]
        for template in self.sessions.templates:
            words.append(template.label)
            words += [exercise.label for exercise in template.exercises]
        return tuple(dict.fromkeys(w for w in words if w))

    def __post_init__(self) -> None:
        known = {form.code for form in self.forms}
        if self.primary_outcome and self.primary_outcome not in known:
            raise ValueError(f"Primary outcome {self.primary_outcome!r} is not a form.")
        for visit in self.visits:
            unknown = set(visit.forms) - known
            if unknown:
                raise ValueError(f"Visit {visit.code} names unknown forms {sorted(unknown)}.")
        visit_codes = {visit.code for visit in self.visits}
        baseline_forms = (
            set(self.visit(self.baseline_visit).forms) if self.baseline_visit else set()
        )
        for precondition in self.randomisation_preconditions:
            if precondition.form not in baseline_forms:
                raise ValueError(
                    f"Randomisation precondition {precondition.form!r} is not a baseline form."
                )
        for name in ("baseline_visit", "primary_endpoint_visit"):
            code = getattr(self, name)
            if code and code not in visit_codes:
                raise ValueError(f"{name} {code!r} is not a visit.")

    def facts_needed(self) -> tuple[str, ...]:
        """Every fact the eligibility criteria read, in declaration order (the screening forms
        collect exactly these)."""
        return tuple(dict.fromkeys(name for criterion in self.criteria for name in criterion.needs))

    def visits_with(self, form_code: str) -> tuple[str, ...]:
        """Codes of the visits at which a form is collected, in schedule order."""
        return tuple(visit.code for visit in self.visits if form_code in visit.forms)

    def screening_visit(self) -> str:
        """The visit that is the screening itself (its record is the screening log entry)."""
        return next(visit.code for visit in self.visits if visit.anchor is Anchor.SCREENING)

    def optional_visits(self) -> tuple[str, ...]:
        """Visits only for those invited (each participant carries ``invited_<code>``)."""
        return tuple(visit.code for visit in self.visits if visit.optional)

    def outcome_visits(self) -> tuple[str, ...]:
        """The visits at which outcomes are assessed: those that collect the primary outcome."""
        return self.visits_with(self.primary_outcome)

    @cached_property
    def _forms_by_code(self) -> dict[str, FormSpec]:
        return {form.code: form for form in self.forms}

    @cached_property
    def _visits_by_code(self) -> dict[str, Visit]:
        return {visit.code: visit for visit in self.visits}

    def forms_due_at_visit(self, visit_code: str) -> tuple[FormSpec, ...]:
        """The forms that must be entered (or marked not done with a reason) before the visit
        is marked done."""
        return tuple(
            self.form(code)
            for code in self.visit(visit_code).forms
            if not self.form(code).after_visit
        )

    def form(self, code: str) -> FormSpec:
        """A form by code (a dict lookup: timelines ask thousands of times per page)."""
        try:
            return self._forms_by_code[code]
        except KeyError:
            raise KeyError(f"No form {code!r} in protocol {self.version}.") from None

    def visit(self, code: str) -> Visit:
        try:
            return self._visits_by_code[code]
        except KeyError:
            raise KeyError(f"No visit {code!r} in protocol {self.version}.") from None

    def arm(self, code: str) -> Arm:
        for arm in self.arms:
            if arm.code == code:
                return arm
        raise KeyError(f"No arm {code!r} in protocol {self.version}.")

    def stratum_label(self, code: str) -> str:
        """The stratum as people read it; an unknown code is shown as is (never hidden)."""
        return next((str(s.label) for s in self.strata if s.code == code), code)
