"""An interview's audio, encrypted at rest (``interviews.audio_crypto``) outside the web root.

The row outlives the audio: after destruction it keeps the SHA-256, size and who destroyed it
when, and loses the file and its key (so no copy of the file can be read again).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class Recording(AuditedModel):
    interview = models.ForeignKey(
        "interviews.Interview", on_delete=models.PROTECT, related_name="recordings"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("format"), max_length=8)  # a key of audio_formats.AUDIO_KINDS
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the audio"), max_length=64)
    seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    stored_name = models.CharField(max_length=64, editable=False)  # under INTERVIEW_AUDIO_DIR
    # The file's data key, wrapped by the field-encryption key. Never written to the audit trail,
    # so destroying it here is final.
    wrapped_key = models.TextField(editable=False, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(_("audio destroyed at"), null=True, blank=True)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    destruction_note = models.CharField(max_length=200, blank=True)

    audit_excluded_fields = frozenset({"wrapped_key", "uploaded_at"})
    # Retention must be able to destroy audio while the database is locked for analysis.
    editable_when_locked = True

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("interview recording")

    def __str__(self) -> str:
        return self.original_name

    def audit_subject(self) -> str:
        return self.interview.invitation.participant.study_id

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None
