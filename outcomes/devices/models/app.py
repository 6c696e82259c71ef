"""Manage My Pain: the study-issued code that links an app account, and imported pain records."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcomes.devices.models.files import DeviceImport
from trial.audit.models import AuditedModel
from trial.models import Participant


class AppEnrolment(AuditedModel):
    """The pseudonymous code a participant enters in the app; exports carry it, never a name."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="app_enrolment"
    )
    code = models.CharField(_("enrolment code"), max_length=32, unique=True)

    def __str__(self) -> str:
        return self.code

    def audit_subject(self) -> str:
        return self.participant.study_id


class PainEntry(AuditedModel):
    source = models.ForeignKey(DeviceImport, on_delete=models.PROTECT, related_name="pain_entries")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="pain_entries"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    severity = models.PositiveSmallIntegerField(
        _("pain severity (0-10)"), validators=[MaxValueValidator(10)]
    )
    details = models.JSONField(_("other recorded fields"), default=dict)
    entry_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["participant", "recorded_at"]
        verbose_name = _("pain record (Manage My Pain)")
        verbose_name_plural = _("pain records (Manage My Pain)")

    def __str__(self) -> str:
        return f"{self.severity}/10 at {self.recorded_at:%Y-%m-%d %H:%M}"

    def audit_subject(self) -> str:
        return self.participant.study_id
