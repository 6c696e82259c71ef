"""The randomise service: the next unused slot of the participant's stratum, under a row lock.

On PostgreSQL the participant row is locked first (so a double click or a retry returns the same
allocation) and the slot is taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` in list order; on
SQLite the IMMEDIATE transaction serialises writers.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from randomization.allocation import assign, next_free_slot
from randomization.exceptions import (
    BaselineIncomplete,
    NoAllocationList,
    PreconditionsMissing,
    RandomisationError,
    StratumExhausted,
)
from randomization.models import AllocationList, AllocationSlot, Environment, PreconditionWaiver
from trial.audit.context import audit_context
from trial.audit.lock import refuse_if_locked
from trial.exceptions import NotEligible
from trial.handlers import form_scores, forms_done
from trial.models import Participant, VisitRecord
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Precondition

log = logging.getLogger(__name__)


def stratum_of(participant: Participant) -> str:
    """The stratum from the baseline LSIQ; BaselineIncomplete when it cannot be known."""
    rule = PROTOCOL.stratification
    total = form_scores([participant.pk], PROTOCOL.baseline_visit, rule.instrument).get(
        participant.pk
    )
    if total is None:
        # Worded without the questionnaire's name: therapists read this message.
        raise BaselineIncomplete(
            f"{participant.study_id}: the baseline stratification questionnaire is incomplete; "
            "ask the coordinator."
        )
    return rule.stratum_for(total)


def _check_ready(participant: Participant) -> None:
    assessment = getattr(participant.screening, "eligibility", None)
    if assessment is None or not assessment.may_enrol:
        raise NotEligible(assessment.failed_criteria if assessment else [])
    baseline = VisitRecord.objects.filter(
        participant=participant, visit_code=PROTOCOL.baseline_visit, outcome=VisitOutcome.DONE
    ).exists()
    if not baseline:
        raise BaselineIncomplete(f"{participant.study_id}: the baseline visit is not recorded.")
    if hasattr(participant, "exit"):
        raise NotEligible([f"{participant.study_id} has left the study"])
    missing = missing_preconditions(participant)
    if missing:
        raise PreconditionsMissing(participant.study_id, [p.label for p in missing])


def missing_preconditions(participant: Participant) -> list[Precondition]:
    """The protocol's randomisation preconditions neither complete nor waived by the PI."""
    forms = [p.form for p in PROTOCOL.randomisation_preconditions]
    done = forms_done([participant.pk], only=forms).get(participant.pk, set())
    waived = set(
        PreconditionWaiver.objects.filter(participant=participant).values_list(
            "form_code", flat=True
        )
    )
    return [
        p
        for p in PROTOCOL.randomisation_preconditions
        if (PROTOCOL.baseline_visit, p.form) not in done and p.form not in waived
    ]


@transaction.atomic
def waive_precondition(
    participant: Participant, form_code: str, user: object, reason: str
) -> PreconditionWaiver:
    """The PI lets randomisation go ahead without one baseline item, with a reason (audited)."""
    if not user.has_perm("trial.override_eligibility"):  # type: ignore[attr-defined]
        raise RandomisationError("Only the PI waives a randomisation precondition.")
    if form_code not in {p.form for p in PROTOCOL.randomisation_preconditions}:
        raise RandomisationError("That is not a randomisation precondition.")
    if not reason.strip():
        raise RandomisationError("Say why randomisation may go ahead without it.")
    if participant.randomized_on is not None:
        raise RandomisationError(f"{participant.study_id} is already randomised.")
    waiver, _created = PreconditionWaiver.objects.get_or_create(
        participant=participant,
        form_code=form_code,
        defaults={"reason": reason.strip(), "waived_by": user, "waived_at": timezone.now()},
    )
    return waiver


def randomise(
    participant: Participant,
    user: object,
    environment: str | None = None,
    on: dt.date | None = None,
) -> AllocationSlot:
    """Allocate ``participant``; returns the slot (the caller shows the arm only through
    ``randomization.selectors``). Calling it again returns the same slot."""
    environment = environment or settings.RANDOMISATION_ENVIRONMENT
    with transaction.atomic(), audit_context(reason="randomised at session 1"):
        # One statement for the row lock and what the checks read (screening, eligibility, exit).
        locked = (
            Participant.objects.select_for_update(of=("self",))
            .select_related("screening__eligibility", "exit")
            .get(pk=participant.pk)
        )
        if locked.randomized_on is not None:  # set with the slot, in the same transaction
            return AllocationSlot.objects.get(participant=locked)
        _check_ready(locked)
        stratum = stratum_of(locked)
        refuse_if_locked(AllocationSlot)
        free = next_free_slot(environment, stratum)
        if free is None and not AllocationList.objects.filter(environment=environment).exists():
            raise NoAllocationList(f"No {environment} allocation list has been imported.")
        if free is None:
            # The stratum stays in the server log: therapists read this message, and the stratum
            # would tell them the participant's questionnaire result.
            log.error(
                "randomise %s: no %s slot left in stratum %s", locked.pk, environment, stratum
            )
            raise StratumExhausted(
                f"{locked.study_id} cannot be randomised: the allocation list has no slot left "
                "for this participant. Nothing was allocated; ask the data manager to have the "
                "statistician extend the list."
            )
        slot, list_locked = free
        if environment == Environment.PRODUCTION and not list_locked:
            _lock_list(slot.allocation_list_id)
        return assign(slot, locked, stratum, user, on or timezone.localdate())


def _lock_list(list_id: int) -> None:
    """The first production randomisation locks its list: from then on it is only extended,
    with a reason (audited). The list row is locked and read again, so of two first
    randomisations in the same instant only one locks it (and writes the trail)."""
    allocation_list = AllocationList.objects.select_for_update().get(pk=list_id)
    if allocation_list.locked_at is not None:
        return
    allocation_list.locked_at = timezone.now()
    allocation_list.save(reason="production randomisation started: list locked")
