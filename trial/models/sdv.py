"""Source-data verification marks: the monitor's statement that a form matches its source."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant


class SourceVerification(AuditedModel):
    """One form of one visit, verified against source. The mark holds the SHA-256 of the values
    verified: once the form's data change, the hashes differ and the mark no longer counts (the
    form is back on the monitor's list), without any signal or trigger."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="source_verifications"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    form_code = models.CharField(_("form"), max_length=32)
    content_sha256 = models.CharField(max_length=64)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("source-data verification")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code", "form_code"], name="one_sdv_mark_per_form"
            )
        ]

    def audit_subject(self) -> str:
        return self.participant.study_id
