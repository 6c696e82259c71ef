"""Locks on one participant's form or whole visit, set by the data manager (e.g. once cleaned)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant

WHOLE_VISIT = ""  # form_code of a lock on every form of the visit


class RecordLock(AuditedModel):
    """While ``unlocked_at`` is empty, the locked form (or every form of the visit) refuses
    changes on every channel, through the same write guard as the database lock."""

    editable_when_locked = True  # a lock can be lifted while the database is locked

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="record_locks"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    form_code = models.CharField(_("form (empty: the whole visit)"), max_length=32, blank=True)
    reason = models.TextField(_("why it is locked"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField()
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("form or visit lock")
        indexes = [models.Index(fields=["participant", "visit_code"])]

    def audit_subject(self) -> str:
        return self.participant.study_id
