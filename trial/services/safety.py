"""Adverse events and study exits (withdrawal, loss to follow-up, discontinued intervention)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trial.models import AdverseEvent, StudyExit


@transaction.atomic
def acknowledge_serious_event(event: AdverseEvent, user: object) -> AdverseEvent:
    """The PI has seen a serious event (it leaves the PI's flag list, stays on record)."""
    if not user.has_perm("trial.review_serious_events"):  # type: ignore[attr-defined]
        raise PermissionError("Only the principal investigator acknowledges serious events.")
    event.pi_reviewed_at = timezone.now()
    event.save(reason="serious adverse event reviewed by the PI")
    return event


@transaction.atomic
def record_exit(
    participant_id: int,
    user: object,
    *,
    kind: str,
    exit_on: object,
    reason: str,
    data_use: str,
    notes: str = "",
    change_reason: str = "",
) -> StudyExit:
    """Record (or correct) how a participant left; their data stay, flagged for analysis."""
    record = StudyExit.objects.filter(participant_id=participant_id).first()
    record = record or StudyExit(participant_id=participant_id, recorded_by=user)
    record.kind, record.exit_on, record.reason = kind, exit_on, reason
    record.data_use, record.notes = data_use, notes
    record.save(reason=change_reason)
    return record
