"""The database lock: once set, no audited row changes until it is lifted with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class DatabaseLock(AuditedModel):
    """The database lock and, after it, the trial unblinding (one row). The lock can be lifted with
    a reason and set again (each change is in the audit trail); the unblinding only moves on.
    It lives in the core because the audit layer's write guard reads it (``trial.audit.lock``)."""

    editable_when_locked = True

    locked_at = models.DateTimeField()
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlock_reason = models.TextField(blank=True)
    unblinded_at = models.DateTimeField(null=True, blank=True)
    unblinded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The lock checklist as it stood at locking: each item's count and, if not clear, the waiver.
    checklist = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("database lock and trial unblinding")

    def __str__(self) -> str:
        return "database lock"

    @property
    def is_locked(self) -> bool:
        return self.unlocked_at is None
