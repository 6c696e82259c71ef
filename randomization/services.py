"""The randomise service: the next unused slot of the participant's stratum, and the PI's
waivers of randomisation preconditions.

A randomisation is recorded as a request and decided in a batch with every other pending one
(``randomization.batch``): participant rows locked first (so a double click or a retry returns
the same allocation), slots taken with ``SELECT ... FOR UPDATE SKIP LOCKED`` in list order.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from randomization import queue
from randomization.batch import allocate_pending
from randomization.exceptions import RandomisationError
from randomization.models import AllocationSlot, PreconditionWaiver
from randomization.readiness import Refusal, missing_preconditions_of
from trial.audit.context import current_context
from trial.models import Participant
from trial.protocol import PROTOCOL
from trial.protocol.schema import Precondition

log = logging.getLogger(__name__)


def missing_preconditions(participant: Participant) -> list[Precondition]:
    """The protocol's randomisation preconditions neither complete nor waived by the PI."""
    return missing_preconditions_of([participant.pk])[participant.pk]


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
    ``randomization.selectors``). Calling it again returns the same slot.

    The request is recorded, then decided with every other pending one by whichever caller
    holds the randomiser's lock (``randomization.batch``); a refusal is raised here as the
    named error it was decided as, in this caller's language."""
    request = (
        participant.pk,
        user.pk,  # type: ignore[attr-defined]
        environment or settings.RANDOMISATION_ENVIRONMENT,
        on or timezone.localdate(),
        current_context(),
    )
    if transaction.get_connection().in_atomic_block:
        # A caller already inside a transaction (a script, a test) cannot wait outside it: it
        # waits for the lead and decides.
        decided = _decided_inside_transaction(queue.record(*request))
    else:
        decided = _decided(*queue.record_and_wait(*request))
    if isinstance(decided, Refusal):
        raise decided.error()
    return decided


def _decided(request_id: int, decided: queue.Outcome | None) -> queue.Outcome:
    """The request's outcome: decided in the batch of whichever caller took the lead first,
    this one if none was deciding (``decided``: what the first wait found)."""
    while decided is None:
        decided = _lead_or_decide_alone(request_id, wait=False)
        if decided is None:  # another caller led, or the batch was full: wait for it
            decided = queue.wait_then_outcome(request_id)
    return decided


def _decided_inside_transaction(request_id: int) -> queue.Outcome:
    decided = None
    while decided is None:  # None: the batch was full
        decided = _lead_or_decide_alone(request_id, wait=True)
    return decided


def _lead_or_decide_alone(request_id: int, wait: bool) -> queue.Outcome | None:
    """``_lead``; if the batch fails, nothing of it was written: this caller's request is then
    decided alone, so that a request that cannot be decided fails only its own caller (the
    others' callers lead again, or theirs time out)."""
    try:
        return _lead(request_id, wait=wait)
    except Exception:
        log.exception("randomise: the batch failed; deciding request %s alone", request_id)
        return _lead(request_id, wait=True, alone=True)


def _lead(request_id: int, wait: bool, alone: bool = False) -> queue.Outcome | None:
    """If this caller gets the lead: decide every pending request (or its own alone) in one
    transaction and return its own outcome; None when another caller has the lead or this
    request was not in the batch."""
    with transaction.atomic():
        if not queue.lead(wait):
            return None
        outcomes = allocate_pending(only=request_id if alone else None)
    return outcomes.get(request_id)
