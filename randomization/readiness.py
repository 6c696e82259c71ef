"""Whether participants may be randomised now, and their strata: one statement for any number.

The randomise service asks this for every request of a batch at once (see
``randomization.batch``); the answer for each participant is either the stratum or the
``Refusal`` its caller is given, in words fit for therapists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from randomization.exceptions import (
    BaselineIncomplete,
    NoAllocationList,
    PreconditionsMissing,
    RandomisationError,
    StratumExhausted,
)
from randomization.models import AllocationSlot, PreconditionWaiver
from trial.audit.lock import DatabaseLocked
from trial.compiled_query import CompiledQuery, Values
from trial.exceptions import NotEligible
from trial.handlers import form_handlers
from trial.models import Participant, VisitRecord
from trial.models.eligibility import EligibilityAssessment
from trial.models.lock import DatabaseLock
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Precondition


def _preconditions_missing(study_id: str, forms: list[str]) -> PreconditionsMissing:
    """Named in the caller's language: the request stores the forms, not their labels."""
    labels = {p.form: p.label for p in PROTOCOL.randomisation_preconditions}
    return PreconditionsMissing(study_id, [str(labels[form]) for form in forms])


# The refusals a request can end in, by name: a refusal is stored as data (name and arguments)
# and raised again as the same exception in the caller's process.
REFUSALS: dict[str, Callable[..., Exception]] = {
    "NotEligible": NotEligible,
    "BaselineIncomplete": BaselineIncomplete,
    "PreconditionsMissing": _preconditions_missing,
    "StratumExhausted": StratumExhausted,
    "NoAllocationList": NoAllocationList,
    "DatabaseLocked": lambda: DatabaseLocked(str(AllocationSlot._meta.verbose_name)),
    "RandomisationError": RandomisationError,
}


@dataclass(frozen=True)
class Refusal:
    """Why a randomisation was refused: an exception's class name and constructor arguments."""

    kind: str
    args: tuple

    def __post_init__(self) -> None:
        if self.kind not in REFUSALS:
            raise ValueError(f"unknown refusal {self.kind!r}")

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "args": list(self.args)}

    @classmethod
    def from_json(cls, data: dict) -> Refusal:
        return cls(data["kind"], tuple(data["args"]))

    def error(self) -> Exception:
        return REFUSALS[self.kind](*self.args)


@dataclass(frozen=True)
class Candidate:
    """A participant as randomisation sees them: the row (locked, in a batch) and everything
    asked of them, read with it in one statement."""

    participant: Participant
    assessed: bool  # an eligibility assessment exists
    may_enrol: bool
    failed_criteria: list[str]
    left: bool  # withdrawn or lost: an exit is recorded
    baseline_done: bool
    missing: list[Precondition]  # neither entered nor waived by the PI
    total: float | None  # the stratification questionnaire's (None: not entered or unscorable)
    database_locked: bool  # the same for every row: the data manager's lock, read with them


_PARTICIPANT_FIELDS = [f.attname for f in Participant._meta.concrete_fields]
_FACTS = ("assessment_id", "eligible", "overridden_by_id", "failed_criteria", "exit_id")
_FACTS += ("baseline_done", "total", "database_locked")


def _fact_names() -> list[str]:
    """The columns read after the participant's, by name (each precondition adds two)."""
    preconditions = range(len(PROTOCOL.randomisation_preconditions))
    return [*_FACTS, *(f"{kind}_{i}" for i in preconditions for kind in ("entered", "waived"))]


def candidates_query(lock: bool, among: object) -> QuerySet:
    """Participants whose id is ``among`` (a ``Values`` placeholder or a subquery of ids) with
    their eligibility, exit, baseline visit, preconditions (entered and waived, through the
    owning apps' handlers), stratification total and the database lock, as rows for
    ``candidates_from``; with ``lock``, the participant rows are locked (in id order: one order
    for every locker, no deadlock)."""
    handlers = form_handlers()
    visit, rule = PROTOCOL.baseline_visit, PROTOCOL.stratification
    facts = {
        "assessment_id": F("screening__eligibility__pk"),
        "eligible": F("screening__eligibility__eligible"),
        "overridden_by_id": F("screening__eligibility__overridden_by"),
        "failed_criteria": F("screening__eligibility__failed_criteria"),
        "exit_id": F("exit__pk"),
        "baseline_done": Exists(
            VisitRecord.objects.filter(
                participant=OuterRef("pk"), visit_code=visit, outcome=VisitOutcome.DONE
            )
        ),
        "total": handlers[rule.instrument].total(visit, rule.instrument),  # type: ignore[misc]
        "database_locked": Exists(DatabaseLock._base_manager.filter(unlocked_at__isnull=True)),
    }
    for index, precondition in enumerate(PROTOCOL.randomisation_preconditions):
        entered = handlers[precondition.form].entered
        facts[f"entered_{index}"] = entered(visit, precondition.form)  # type: ignore[misc]
        facts[f"waived_{index}"] = Exists(
            PreconditionWaiver.objects.filter(
                participant=OuterRef("pk"), form_code=precondition.form
            )
        )
    people = Participant.objects.all()
    if lock:  # the participant rows only
        people = people.select_for_update(of=("self",)).order_by("pk")
    chosen = Q(pk__any_of=among) if isinstance(among, Values) else Q(pk__in=among)
    return people.filter(chosen).annotate(**facts).values_list(*_PARTICIPANT_FIELDS, *_fact_names())


# Compiled once per connection (``trial.compiled_query``): a batch reads every request's
# participant with one statement.
_LOCKED = CompiledQuery(lambda: candidates_query(lock=True, among=Values("ids")))
_READ = CompiledQuery(lambda: candidates_query(lock=False, among=Values("ids")))


def candidates(participant_ids: list[int], lock: bool = False) -> dict[int, Candidate]:
    """Per participant id (unknown ids are left out); with ``lock``, inside a transaction, the
    participant rows are locked until it ends."""
    return candidates_from((_LOCKED if lock else _READ).rows(ids=participant_ids))


def candidates_from(rows: list[tuple]) -> dict[int, Candidate]:
    """The candidates read by a ``candidates_query``, by participant id."""
    width, names = len(_PARTICIPANT_FIELDS), _fact_names()
    found = {}
    for row in rows:
        person = Participant.from_db(DEFAULT_DB_ALIAS, _PARTICIPANT_FIELDS, row[:width])
        fact = dict(zip(names, row[width:], strict=True))
        found[person.pk] = Candidate(
            participant=person,
            assessed=fact["assessment_id"] is not None,
            may_enrol=EligibilityAssessment.enrolment_allowed(
                fact["eligible"], fact["overridden_by_id"]
            ),
            failed_criteria=list(fact["failed_criteria"] or []),
            left=fact["exit_id"] is not None,
            baseline_done=bool(fact["baseline_done"]),
            missing=[
                p
                for i, p in enumerate(PROTOCOL.randomisation_preconditions)
                if not (fact[f"entered_{i}"] or fact[f"waived_{i}"])
            ],
            total=fact["total"],
            database_locked=bool(fact["database_locked"]),
        )
    return found


def missing_preconditions_of(participant_ids: list[int]) -> dict[int, list[Precondition]]:
    """Per participant, the protocol's randomisation preconditions neither entered nor waived
    by the PI."""
    return {pid: c.missing for pid, c in candidates(participant_ids).items()}


def answer(candidate: Candidate) -> Refusal | str:
    """The refusal, or the stratum from the baseline stratification questionnaire."""
    study_id = candidate.participant.study_id
    if not candidate.may_enrol:
        return Refusal("NotEligible", (candidate.failed_criteria if candidate.assessed else [],))
    if not candidate.baseline_done:
        return Refusal("BaselineIncomplete", (f"{study_id}: the baseline visit is not recorded.",))
    if candidate.left:
        return Refusal("NotEligible", ([f"{study_id} has left the study"],))
    if candidate.missing:
        return Refusal("PreconditionsMissing", (study_id, [p.form for p in candidate.missing]))
    if candidate.total is None:
        # Worded without the questionnaire's name: therapists read this message.
        return Refusal(
            "BaselineIncomplete",
            (
                f"{study_id}: the baseline stratification questionnaire is incomplete; ask the "
                "coordinator.",
            ),
        )
    return PROTOCOL.stratification.stratum_for(candidate.total)
