"""The PI's waiver of one randomisation precondition for one participant (with a reason)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant


class PreconditionWaiver(AuditedModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="precondition_waivers"
    )
    form_code = models.CharField(_("baseline form"), max_length=32)
    reason = models.TextField(_("why randomisation may go ahead without it"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField()

    class Meta:
        verbose_name = _("randomisation precondition waiver")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "form_code"], name="one_waiver_per_precondition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_code} waived for {self.participant_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id
