"""A completed questionnaire: the answers, and the score computed on save with its version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant


class Verification(models.TextChoices):
    """Double entry of the primary outcome: a second person re-enters it blind to the first."""

    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Awaiting second entry")
    VERIFIED = "verified", _("Verified (entries agree)")
    DISCREPANT = "discrepant", _("Entries differ: data queries open")
    ADJUDICATED = "adjudicated", _("Adjudicated by the data manager")


class InstrumentResponse(AuditedModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="instrument_responses"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    instrument = models.CharField(_("instrument"), max_length=32)
    completed_on = models.DateField(_("completed on"))
    responses = models.JSONField(_("answers"), default=dict)
    total = models.FloatField(_("total score"), null=True)
    subscores = models.JSONField(default=dict)
    missing_items = models.JSONField(default=list)
    scoring_version = models.CharField(max_length=64)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.NOT_REQUIRED,
    )
    second_entry = models.JSONField(_("second entry"), null=True, blank=True)
    second_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    second_entered_at = models.DateTimeField(null=True, blank=True)

    audit_excluded_fields = frozenset({"updated_at"})

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code", "instrument"],
                name="one_response_per_instrument_visit",
            )
        ]
        verbose_name = _("questionnaire response")

    def __str__(self) -> str:
        return f"{self.instrument} at {self.visit_code} ({self.participant_id})"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, self.visit_code, self.instrument

    def audit_subject(self) -> str:
        return self.participant.study_id
