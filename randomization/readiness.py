"""Whether participants may be randomised now, and their strata: a few queries for any number.

The randomise service asks this for every request of a batch at once (see
``randomization.batch``); the answer for each participant is either the stratum or the
``Refusal`` its caller is given, in words fit for therapists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

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
from trial.handlers import form_scores, forms_done
from trial.models import Participant, VisitRecord
from trial.models.eligibility import EligibilityAssessment
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


def _waivers() -> QuerySet:
    return PreconditionWaiver.objects.filter(participant_id__any_of=Values("ids")).values_list(
        "participant_id", "form_code"
    )


def _facts(baseline_visit: str) -> QuerySet:
    """Per participant: the eligibility assessment's verdict, whether they left the study, and
    whether the baseline visit is recorded."""
    baseline_done = VisitRecord.objects.filter(
        participant=OuterRef("pk"), visit_code=baseline_visit, outcome=VisitOutcome.DONE
    )
    return Participant.objects.filter(pk__any_of=Values("ids")).values_list(
        "pk",
        "screening__eligibility__pk",
        "screening__eligibility__eligible",
        "screening__eligibility__overridden_by",
        "screening__eligibility__failed_criteria",
        "exit__pk",
        Exists(baseline_done),
    )


# Compiled once per connection (``trial.compiled_query``): read for every randomisation batch.
_WAIVERS = CompiledQuery(_waivers)
_FACTS = CompiledQuery(_facts)


@dataclass(frozen=True)
class _Facts:
    assessed: bool
    may_enrol: bool
    failed_criteria: list[str]
    left: bool
    baseline_done: bool


def _facts_of(participant_ids: list[int]) -> dict[int, _Facts]:
    rows = _FACTS.rows((PROTOCOL.baseline_visit,), ids=participant_ids)
    return {
        pid: _Facts(
            assessed=assessment is not None,
            may_enrol=EligibilityAssessment.enrolment_allowed(eligible, overridden_by),
            failed_criteria=list(failed or []),
            left=exit_id is not None,
            baseline_done=bool(baseline_done),
        )
        for pid, assessment, eligible, overridden_by, failed, exit_id, baseline_done in rows
    }


def missing_preconditions_of(participant_ids: list[int]) -> dict[int, list[Precondition]]:
    """Per participant, the protocol's randomisation preconditions neither complete nor
    waived by the PI."""
    preconditions = PROTOCOL.randomisation_preconditions
    done = forms_done(participant_ids, only=[p.form for p in preconditions])
    waived: dict[int, set[str]] = {pid: set() for pid in participant_ids}
    for pid, form in _WAIVERS.rows(ids=participant_ids):
        waived[pid].add(form)
    return {
        pid: [
            p
            for p in preconditions
            if (PROTOCOL.baseline_visit, p.form) not in done.get(pid, set())
            and p.form not in waived[pid]
        ]
        for pid in participant_ids
    }


def readiness(participants: list[Participant]) -> dict[int, Refusal | str]:
    """Per participant: the refusal, or the stratum from the baseline stratification
    questionnaire."""
    ids = [p.pk for p in participants]
    facts = _facts_of(ids)
    missing = missing_preconditions_of(ids)
    rule = PROTOCOL.stratification
    totals = form_scores(ids, PROTOCOL.baseline_visit, rule.instrument)
    answers: dict[int, Refusal | str] = {}
    for person in participants:
        refusal = _refusal(person.study_id, facts[person.pk], missing[person.pk])
        total = totals.get(person.pk)
        if refusal is None and total is None:
            # Worded without the questionnaire's name: therapists read this message.
            refusal = Refusal(
                "BaselineIncomplete",
                (
                    f"{person.study_id}: the baseline stratification questionnaire is "
                    "incomplete; ask the coordinator.",
                ),
            )
        answers[person.pk] = refusal or rule.stratum_for(total)
    return answers


def _refusal(study_id: str, facts: _Facts, missing: list[Precondition]) -> Refusal | None:
    if not facts.may_enrol:
        return Refusal("NotEligible", (facts.failed_criteria if facts.assessed else [],))
    if not facts.baseline_done:
        return Refusal("BaselineIncomplete", (f"{study_id}: the baseline visit is not recorded.",))
    if facts.left:
        return Refusal("NotEligible", ([f"{study_id} has left the study"],))
    if missing:
        return Refusal("PreconditionsMissing", (study_id, [p.form for p in missing]))
    return None
