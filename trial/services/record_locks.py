"""Form and visit locks: the data manager locks one participant's form (or whole visit) with a
reason; every write path refuses it until unlocked with a reason (``trial.audit.lock``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trial.exceptions import JourneyError
from trial.models import Participant, RecordLock
from trial.models.record_lock import WHOLE_VISIT
from trial.protocol import PROTOCOL

PERMISSION = "trial.lock_database"


class LockRefused(JourneyError):
    """The lock or unlock was not done; the message says why."""


def _check(user: object, reason: str) -> str:
    if not user.has_perm(PERMISSION):  # type: ignore[attr-defined]
        raise LockRefused("Only the data manager (or the PI) locks and unlocks forms and visits.")
    if not reason.strip():
        raise LockRefused("Say why (the reason is kept in the audit trail).")
    return reason.strip()


@transaction.atomic
def lock_record(
    user: object, participant: Participant, visit: str, form: str, reason: str
) -> RecordLock:
    why = _check(user, reason)
    if visit not in {v.code for v in PROTOCOL.visits}:
        raise LockRefused(f"No visit {visit!r} in the protocol.")
    if form != WHOLE_VISIT and form not in PROTOCOL.visit(visit).forms:
        raise LockRefused(f"The visit {visit} has no form {form!r}.")
    existing = RecordLock.objects.filter(
        participant=participant, visit_code=visit, form_code=form, unlocked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return RecordLock.objects.create(
        participant=participant,
        visit_code=visit,
        form_code=form,
        reason=why,
        locked_by=user,
        locked_at=timezone.now(),
    )


@transaction.atomic
def unlock_record(user: object, lock: RecordLock, reason: str) -> RecordLock:
    why = _check(user, reason)
    locked = RecordLock.objects.select_for_update().get(pk=lock.pk)
    if locked.unlocked_at is not None:
        raise LockRefused("This lock is already lifted.")
    locked.unlocked_at, locked.unlocked_by, locked.unlock_reason = timezone.now(), user, why
    locked.save(reason=f"unlocked: {why}")
    return locked


def active_locks(participant: Participant) -> list[RecordLock]:
    return list(
        RecordLock.objects.filter(participant=participant, unlocked_at__isnull=True).order_by(
            "visit_code", "form_code"
        )
    )
