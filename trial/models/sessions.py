"""The therapist's log of the 48 supervised sessions and the exercises done at each.

Session logs imply the arm (exercise names, MedX), so only roles unblinded to the arm read them;
``trial.selectors.sessions`` is the one place that decides.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant
from trial.validators import not_in_future


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")


class MissedReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    BACK_PAIN = "back_pain", _("Back pain flare")
    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    SCHEDULE = "schedule", _("Schedule conflict")
    TRANSPORT = "transport", _("Transport")
    NO_SHOW = "no_show", _("Did not come, no notice")
    OTHER = "other", _("Other")


class TrainingSession(AuditedModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="training_sessions"
    )
    number = models.PositiveSmallIntegerField(_("session number"))
    session_date = models.DateField(_("date"), validators=[not_in_future])
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices)
    missed_reason = models.CharField(
        _("reason missed"), max_length=16, choices=MissedReason.choices, blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    template_code = models.CharField(_("session template"), max_length=32)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["participant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "number"], name="one_log_per_session")
        ]
        verbose_name = _("training session")

    def __str__(self) -> str:
        return f"session {self.number} of {self.participant_id}"

    @property
    def template_label(self) -> str:
        """The template as the protocol names it (the code is for files, not people)."""
        from trial.protocol import PROTOCOL

        try:
            return str(PROTOCOL.sessions.template(self.template_code).label)
        except KeyError:
            return self.template_code

    def audit_subject(self) -> str:
        return self.participant.study_id


class ExerciseEntry(AuditedModel):
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="exercises")
    exercise_code = models.CharField(_("exercise"), max_length=48)
    exercise_name = models.CharField(
        _("exercise name (individualised exercises)"), max_length=120, blank=True
    )
    sets = models.PositiveSmallIntegerField(
        _("sets"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    reps = models.PositiveSmallIntegerField(
        _("reps or seconds"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    load = models.DecimalField(
        _("load"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    rpe = models.PositiveSmallIntegerField(
        _("RPE (0-10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("exercise entry")
        verbose_name_plural = _("exercise entries")

    def __str__(self) -> str:
        return self.exercise_name or self.exercise_code

    def audit_subject(self) -> str:
        return self.session.participant.study_id
