"""Emergency unblinding (request, PI decision, reveal to the requester only) and the trial
unblinding that follows the database lock. Every step is an audited save."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from randomization.exceptions import RandomisationError
from randomization.models import RequestStatus, UnblindingRequest
from trial.audit.recorder import record
from trial.lock_checklist import ChecklistItem, lock_checklist
from trial.models import DatabaseLock, Participant, SignatureMeaning
from trial.models.audit import AuditAction
from trial.services.signatures import (
    DATABASE_LOCK,
    TRIAL_UNBLINDING,
    SigningProof,
    record_signature,
)


class UnblindingRefused(RandomisationError):
    """A request or decision that the unblinding rules do not allow; nothing changed."""


def _require(user: object, permission: str, message: str) -> None:
    if not user.has_perm(permission):  # type: ignore[attr-defined]
        raise UnblindingRefused(message)


@transaction.atomic
def request_unblinding(participant: Participant, user: object, reason: str) -> UnblindingRequest:
    _require(user, "trial.request_unblinding", "You may not request unblinding.")
    if not participant.is_randomised:
        raise UnblindingRefused(f"{participant.study_id} is not randomised.")
    if not reason.strip():
        raise UnblindingRefused("Say why the arm must be known.")
    return UnblindingRequest.objects.create(
        participant=participant, requested_by=user, reason=reason.strip()
    )


@transaction.atomic
def decide_unblinding(
    request: UnblindingRequest, user: object, approve: bool, note: str = ""
) -> UnblindingRequest:
    _require(user, "trial.approve_unblinding", "Only the PI decides on unblinding.")
    locked = UnblindingRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise UnblindingRefused("This request has already been decided.")
    locked.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.decision_note = note.strip()
    locked.save(reason=f"emergency unblinding {locked.status} by the PI")
    if approve:
        record(AuditAction.UNBLIND, object_type=locked._meta.label, object_id=locked.pk,
               subject=locked.participant.study_id,
               reason="emergency unblinding approved by the PI")  # fmt: skip
    return locked


def current_lock() -> DatabaseLock | None:
    return DatabaseLock.objects.first()


class ChecklistOpen(UnblindingRefused):
    """The lock checklist has items that are neither clear nor waived; nothing was locked."""

    def __init__(self, items: list[ChecklistItem]) -> None:
        self.items = items
        listed = "; ".join(f"{item.label}: {item.count}" for item in items)
        super().__init__(f"Clear or waive (with a reason) before locking: {listed}.")


@transaction.atomic
def lock_database(proof: SigningProof, waivers: Mapping[str, str] | None = None) -> DatabaseLock:
    """Lock (or lock again after an unlock) as a signed procedure: every checklist item must be
    clear or waived with a reason; the checklist with its waivers is kept on the lock row and
    signed (meaning "database locked"). Locking a locked database changes nothing."""
    user = proof.user
    _require(user, "trial.lock_database", "You may not lock the database.")
    waivers = {code: why.strip() for code, why in (waivers or {}).items() if why.strip()}
    items = lock_checklist()
    open_items = [item for item in items if not item.clear and item.code not in waivers]
    if open_items:
        raise ChecklistOpen(open_items)
    existing = DatabaseLock.objects.select_for_update().first()
    if existing is not None and existing.is_locked:
        return existing
    checklist = [item.as_record(waivers.get(item.code, "")) for item in items]
    if existing is None:
        existing = DatabaseLock.objects.create(
            locked_at=timezone.now(), locked_by=user, checklist=checklist
        )
    else:
        existing.locked_at, existing.locked_by = timezone.now(), user
        existing.unlocked_at, existing.unlocked_by, existing.unlock_reason = None, None, ""
        existing.checklist = checklist
        existing.save(reason="database locked again")
    waived = "; ".join(f"{code} waived: {why}" for code, why in waivers.items())
    _event(AuditAction.LOCK, existing, "database locked" + (f" ({waived})" if waived else ""))
    record_signature(
        user,
        DATABASE_LOCK,
        f"{existing.pk}:{existing.locked_at.isoformat()}",
        SignatureMeaning.LOCKED,
        checklist,
    )
    return existing


def _event(action: str, lock: DatabaseLock, reason: str, subject: str = "") -> None:
    """The lock, unlock and unblinding as events of their own (filterable by action)."""
    record(action, object_type=lock._meta.label, object_id=lock.pk, subject=subject,
           reason=reason)  # fmt: skip


@transaction.atomic
def unlock_database(user: object, reason: str) -> DatabaseLock:
    """Lift the lock for a correction; the reason is kept on the row and in the audit trail."""
    _require(user, "trial.lock_database", "You may not unlock the database.")
    if not reason.strip():
        raise UnblindingRefused("Say why the database must be unlocked.")
    lock = DatabaseLock.objects.select_for_update().first()
    if lock is None or not lock.is_locked:
        raise UnblindingRefused("The database is not locked.")
    lock.unlocked_at, lock.unlocked_by, lock.unlock_reason = timezone.now(), user, reason.strip()
    lock.save(reason=f"database unlocked: {reason.strip()}")
    _event(AuditAction.UNLOCK, lock, f"database unlocked: {reason.strip()}")
    return lock


@transaction.atomic
def unblind_trial(proof: SigningProof) -> DatabaseLock:
    """After the lock only, signed by the PI (meaning "trial unblinded"): the statistician role
    then sees the arms."""
    user = proof.user
    _require(user, "trial.approve_unblinding", "Only the PI unblinds the trial.")
    lock = DatabaseLock.objects.select_for_update().first()
    if lock is None or not lock.is_locked:
        raise UnblindingRefused("Lock the database before unblinding the trial.")
    if lock.unblinded_at is None:
        lock.unblinded_at = timezone.now()
        lock.unblinded_by = user
        lock.save(reason="trial unblinded after database lock")
        _event(AuditAction.UNBLIND, lock, "trial unblinded after database lock")
        record_signature(
            user,
            TRIAL_UNBLINDING,
            f"{lock.pk}:{lock.unblinded_at.isoformat()}",
            SignatureMeaning.UNBLINDED,
            {"lock": f"{lock.pk}:{lock.locked_at.isoformat()}", "checklist": lock.checklist},
        )
    return lock
