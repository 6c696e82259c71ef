"""Adverse events, graded and coded the usual way (ICH E2A seriousness, relatedness scale)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant
from trial.validators import not_in_future


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class Relatedness(models.TextChoices):
    NOT_RELATED = "not_related", _("Not related")
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possibly related")
    PROBABLE = "probable", _("Probably related")
    DEFINITE = "definite", _("Definitely related")


class ActionTaken(models.TextChoices):
    NONE = "none", _("None")
    MODIFIED = "modified", _("Exercise modified")
    INTERRUPTED = "interrupted", _("Sessions interrupted")
    DISCONTINUED = "discontinued", _("Intervention discontinued")
    REFERRED = "referred", _("Referred for medical care")


class AeOutcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    RECOVERING = "recovering", _("Recovering")
    NOT_RECOVERED = "not_recovered", _("Not recovered")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Unknown")


class AdverseEvent(AuditedModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="adverse_events"
    )
    onset_on = models.DateField(_("onset"), validators=[not_in_future])
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    serious = models.BooleanField(
        _("serious (death, life-threatening, hospitalisation, disability, other important)"),
        default=False,
    )
    relatedness = models.CharField(
        _("related to the exercise"), max_length=16, choices=Relatedness.choices
    )
    action_taken = models.CharField(_("action taken"), max_length=16, choices=ActionTaken.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AeOutcome.choices)
    resolved_on = models.DateField(
        _("resolved on"), null=True, blank=True, validators=[not_in_future]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    pi_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_excluded_fields = frozenset({"reported_at"})

    class Meta:
        ordering = ["-onset_on", "-id"]
        verbose_name = _("adverse event")

    def clean(self) -> None:
        super().clean()
        if self.resolved_on and self.onset_on and self.resolved_on < self.onset_on:
            raise ValidationError(
                {
                    "resolved_on": _("An event cannot resolve before its onset (%(onset)s).")
                    % {"onset": self.onset_on.isoformat()}
                }
            )

    def __str__(self) -> str:
        return f"AE {self.pk} of {self.participant_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id
