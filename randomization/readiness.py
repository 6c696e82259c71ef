"""Whether participants may be randomised now, and their strata: a few queries for any number.

The randomise service asks this for every request of a batch at once (see
``randomization.batch``); the answer for each participant is either the stratum or the
``Refusal`` its caller is given, in words fit for therapists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from randomization.exceptions import (
    BaselineIncomplete,
    NoAllocationList,
    PreconditionsMissing,
    RandomisationError,
    StratumExhausted,
)
from randomization.models import AllocationSlot, PreconditionWaiver
from trial.audit.lock import DatabaseLocked
from trial.exceptions import NotEligible
from trial.handlers import form_scores, forms_done
from trial.models import Participant, VisitRecord
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


def missing_preconditions_of(participant_ids: list[int]) -> dict[int, list[Precondition]]:
    """Per participant, the protocol's randomisation preconditions neither complete nor
    waived by the PI."""
    preconditions = PROTOCOL.randomisation_preconditions
    done = forms_done(participant_ids, only=[p.form for p in preconditions])
    waived: dict[int, set[str]] = {pid: set() for pid in participant_ids}
    waivers = PreconditionWaiver.objects.filter(participant_id__in=participant_ids)
    for pid, form in waivers.values_list("participant_id", "form_code"):
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
    """Per participant (with ``screening__eligibility`` and ``exit`` selected): the refusal,
    or the stratum from the baseline stratification questionnaire."""
    ids = [p.pk for p in participants]
    baseline_done = set(
        VisitRecord.objects.filter(
            participant_id__in=ids, visit_code=PROTOCOL.baseline_visit, outcome=VisitOutcome.DONE
        ).values_list("participant_id", flat=True)
    )
    missing = missing_preconditions_of(ids)
    rule = PROTOCOL.stratification
    totals = form_scores(ids, PROTOCOL.baseline_visit, rule.instrument)
    answers: dict[int, Refusal | str] = {}
    for person in participants:
        refusal = _refusal(person, person.pk in baseline_done, missing[person.pk])
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


def _refusal(
    person: Participant, baseline_done: bool, missing: list[Precondition]
) -> Refusal | None:
    assessment = getattr(person.screening, "eligibility", None)
    if assessment is None or not assessment.may_enrol:
        return Refusal("NotEligible", (list(assessment.failed_criteria) if assessment else [],))
    if not baseline_done:
        return Refusal(
            "BaselineIncomplete", (f"{person.study_id}: the baseline visit is not recorded.",)
        )
    if hasattr(person, "exit"):
        return Refusal("NotEligible", ([f"{person.study_id} has left the study"],))
    if missing:
        return Refusal("PreconditionsMissing", (person.study_id, [p.form for p in missing]))
    return None
