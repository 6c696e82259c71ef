"""Transcript versions and the redactions proposed on each, accepted or rejected by a reviewer.

The verbatim text is identifying, so it is encrypted at rest; the approved de-identified text
is what exports carry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.crypto.fields import EncryptedTextField


class TranscriptOrigin(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    SPEECH_TO_TEXT = "speech", _("Automatic draft from the recording")


class Transcript(AuditedModel):
    interview = models.ForeignKey(
        "interviews.Interview", on_delete=models.PROTECT, related_name="transcripts"
    )
    version = models.PositiveSmallIntegerField(editable=False)
    origin = models.CharField(max_length=8, choices=TranscriptOrigin.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=[("en", _("English")), ("fr", _("French"))]
    )
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    text = EncryptedTextField(_("verbatim text"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    deidentified_text = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(null=True, blank=True, editable=False)

    # The verbatim text is identifying: the trail records its SHA-256 (above), not the text.
    audit_excluded_fields = frozenset({"text", "uploaded_at"})

    class Meta:
        ordering = ["interview", "version"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "version"], name="one_transcript_version")
        ]
        verbose_name = _("transcript")

    def __str__(self) -> str:
        return f"{self.interview} transcript v{self.version}"

    def audit_subject(self) -> str:
        return self.interview.invitation.participant.study_id


class Decision(models.TextChoices):
    PROPOSED = "proposed", _("To review")
    ACCEPTED = "accepted", _("Redact")
    REJECTED = "rejected", _("Keep (not identifying)")


class Redaction(AuditedModel):
    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="redactions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = EncryptedTextField(_("identifier"))
    category = models.CharField(_("kind"), max_length=16)  # deid.proposals.Category
    source = models.CharField(_("found by"), max_length=40)
    replacement = models.CharField(_("replaced by"), max_length=40)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, default=Decision.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    audit_encrypted_fields = frozenset({"text"})

    class Meta:
        ordering = ["transcript", "start"]
        verbose_name = _("redaction")

    def __str__(self) -> str:
        return f"{self.category} at {self.start}"

    def audit_subject(self) -> str:
        return self.transcript.interview.invitation.participant.study_id
