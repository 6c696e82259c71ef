"""The Consensus Sleep Diary (core items), one row per night of the actigraphy week."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant


class SleepQuality(models.IntegerChoices):
    VERY_POOR = 1, _("Very poor")
    POOR = 2, _("Poor")
    FAIR = 3, _("Fair")
    GOOD = 4, _("Good")
    VERY_GOOD = 5, _("Very good")


class SleepDiaryNight(AuditedModel):
    """Times are local wall-clock times; evening times belong to ``night`` (the evening's date),
    times before noon to the next morning."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="sleep_diary"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    night = models.DateField(_("night of (evening date)"))
    into_bed = models.TimeField(_("time into bed"))
    lights_out = models.TimeField(_("time tried to sleep (lights out)"), null=True, blank=True)
    estimated_sol_min = models.PositiveSmallIntegerField(
        _("minutes to fall asleep"), null=True, blank=True, validators=[MaxValueValidator(720)]
    )
    awakenings = models.PositiveSmallIntegerField(
        _("number of awakenings"), null=True, blank=True, validators=[MaxValueValidator(50)]
    )
    estimated_waso_min = models.PositiveSmallIntegerField(
        _("minutes awake during the night"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(720)],
    )
    final_wake = models.TimeField(_("final awakening"), null=True, blank=True)
    out_of_bed = models.TimeField(_("time out of bed"))
    quality = models.PositiveSmallIntegerField(
        _("sleep quality"), choices=SleepQuality.choices, null=True, blank=True
    )
    comments = models.CharField(_("comments"), max_length=240, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["participant", "visit_code", "night"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code", "night"], name="one_diary_entry_per_night"
            )
        ]
        verbose_name = _("sleep diary night")

    def __str__(self) -> str:
        return f"diary, night of {self.night}"

    def audit_subject(self) -> str:
        return self.participant.study_id
