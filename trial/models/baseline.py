"""Baseline case-report forms owned by the participant journey: sociodemographics and medical
history (the MRI safety questionnaire lives with screening, where it feeds eligibility)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant
from trial.protocol import PROTOCOL


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    SECONDARY = "secondary", _("Secondary school")
    COLLEGE = "college", _("College / CEGEP / trade")
    BACHELOR = "bachelor", _("Bachelor's degree")
    GRADUATE = "graduate", _("Graduate degree")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Employed full time")
    PART_TIME = "part_time", _("Employed part time")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Unemployed")
    RETIRED = "retired", _("Retired")
    HOMEMAKER = "homemaker", _("Homemaker")
    UNABLE = "unable", _("Unable to work (disability)")


class WorkStatus(models.TextChoices):
    FULL_DUTIES = "full_duties", _("Working, full duties")
    MODIFIED_DUTIES = "modified_duties", _("Working, modified duties because of back pain")
    OFF_WORK_LBP = "off_work_lbp", _("Off work because of back pain")
    NOT_WORKING = "not_working", _("Not working for other reasons")


class LbpHistory(models.TextChoices):
    FIRST_EPISODE = "first", _("First episode, persistent")
    RECURRENT = "recurrent", _("Recurrent episodes")
    CONTINUOUS = "continuous", _("Continuous for years")


def bmi(height_cm: Decimal | float, weight_kg: Decimal | float) -> Decimal:
    """Body-mass index in kg/m2, one decimal (pure; shown and exported with the form)."""
    metres = Decimal(str(height_cm)) / 100
    return (Decimal(str(weight_kg)) / (metres * metres)).quantize(Decimal("0.1"))


class Sociodemographics(AuditedModel):
    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="sociodemographics"
    )
    completed_on = models.DateField(_("completed on"))
    sex = models.CharField(_("sex at birth"), max_length=16, choices=Sex.choices)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    age_years = models.PositiveSmallIntegerField(
        _("age (from date of birth)"), editable=False, null=True
    )
    education = models.CharField(_("highest education"), max_length=16, choices=Education.choices)
    employment = models.CharField(_("employment"), max_length=16, choices=Employment.choices)
    work_status = models.CharField(_("work status"), max_length=16, choices=WorkStatus.choices)
    lbp_duration_months = models.PositiveSmallIntegerField(
        _("duration of current low back pain (months)"),
        validators=[MinValueValidator(0), MaxValueValidator(900)],
    )
    lbp_history = models.CharField(
        _("low back pain history"), max_length=16, choices=LbpHistory.choices
    )
    previous_treatments = models.TextField(_("previous treatments for back pain"), blank=True)
    medications = models.TextField(_("current medications"), blank=True)
    height_cm = models.DecimalField(
        _("height (cm)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("100")), MaxValueValidator(Decimal("230"))],
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("300"))],
    )
    bmi = models.DecimalField(_("BMI (kg/m²)"), max_digits=4, decimal_places=1, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("sociodemographic questionnaire")
        verbose_name_plural = _("sociodemographic questionnaires")

    def __str__(self) -> str:
        return f"sociodemographics of {self.participant_id}"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, PROTOCOL.baseline_visit, "sociodemographics"

    def audit_subject(self) -> str:
        return self.participant.study_id


class Smoking(models.TextChoices):
    NEVER = "never", _("Never smoked")
    FORMER = "former", _("Former smoker")
    CURRENT = "current", _("Current smoker")


class MedicalHistory(AuditedModel):
    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="medical_history"
    )
    completed_on = models.DateField(_("completed on"))
    hypertension = models.BooleanField(_("hypertension"), default=False)
    cardiovascular_disease = models.BooleanField(_("heart or vascular disease"), default=False)
    diabetes = models.BooleanField(_("diabetes"), default=False)
    respiratory_disease = models.BooleanField(_("asthma or other lung disease"), default=False)
    osteoarthritis = models.BooleanField(_("osteoarthritis"), default=False)
    inflammatory_arthritis = models.BooleanField(_("inflammatory arthritis"), default=False)
    osteoporosis = models.BooleanField(_("osteoporosis"), default=False)
    depression_or_anxiety = models.BooleanField(_("depression or anxiety"), default=False)
    cancer_history = models.BooleanField(_("history of cancer"), default=False)
    other_conditions = models.TextField(_("other conditions"), blank=True)
    smoking = models.CharField(_("smoking"), max_length=8, choices=Smoking.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("medical history")
        verbose_name_plural = _("medical histories")

    def __str__(self) -> str:
        return f"medical history of {self.participant_id}"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, PROTOCOL.baseline_visit, "medical_history"

    def audit_subject(self) -> str:
        return self.participant.study_id
