"""The screening log: every person approached, the top box of the CONSORT diagram."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.validators import not_in_future


class ReferralSource(models.TextChoices):
    CLINIC = "clinic", _("Clinic referral")
    ADVERTISEMENT = "advertisement", _("Advertisement")
    SOCIAL_MEDIA = "social_media", _("Social media")
    WORD_OF_MOUTH = "word_of_mouth", _("Word of mouth")
    OTHER = "other", _("Other")


class ScreeningLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Other")


class ScreeningOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DECLINED = "declined", _("Declined to participate")
    NOT_REACHED = "not_reached", _("Could not be reached")


class ScreeningEntry(AuditedModel):
    screened_on = models.DateField(_("date approached"), validators=[not_in_future])
    source = models.CharField(_("source"), max_length=32, choices=ReferralSource.choices)
    age = models.PositiveSmallIntegerField(
        _("age at screening"), validators=[MinValueValidator(0), MaxValueValidator(120)]
    )
    language = models.CharField(_("language"), max_length=8, choices=ScreeningLanguage.choices)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=ScreeningOutcome.choices,
        default=ScreeningOutcome.PENDING,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_excluded_fields = frozenset({"created_at", "updated_at"})

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("screening log entry")
        verbose_name_plural = _("screening log")

    def __str__(self) -> str:
        return self.screening_code

    def audit_subject(self) -> str:
        """The study ID once enrolled, so a participant's whole history is found under it."""
        from trial.models.participant import Participant

        study_id = Participant.objects.filter(screening_id=self.pk).values_list(
            "study_id", flat=True
        )
        return next(iter(study_id), "") if self.pk else ""

    @property
    def screening_code(self) -> str:
        return f"SCR-{self.pk:04d}" if self.pk else "SCR-new"
