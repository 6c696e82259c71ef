"""A visit as it happened: date done (or missed), and the reason when outside its window."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant
from trial.validators import not_in_future


class VisitOutcome(models.TextChoices):
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class VisitRecord(AuditedModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    visit_code = models.CharField(_("visit"), max_length=32)
    outcome = models.CharField(_("outcome"), max_length=8, choices=VisitOutcome.choices)
    done_on = models.DateField(_("date"), null=True, blank=True, validators=[not_in_future])
    out_of_window = models.BooleanField(default=False, editable=False)
    out_of_window_reason = models.TextField(_("reason the visit is outside its window"), blank=True)
    missed_reason = models.TextField(_("reason missed"), blank=True)
    # Forms of the visit not entered when it was marked done: form code -> the reason.
    forms_not_done = models.JSONField(
        _("forms not done, with the reason"), default=dict, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code"], name="one_record_per_visit"
            )
        ]
        verbose_name = _("visit record")

    def __str__(self) -> str:
        return f"{self.visit_code} of {self.participant_id}"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, self.visit_code, ""  # the record of the visit itself

    def audit_subject(self) -> str:
        return self.participant.study_id
