"""Eligibility facts gathered at screening and the stored result of the protocol's rules.

The facts are entered here; ``trial.services.eligibility`` evaluates ``trial.protocol`` criteria
and stores each failed or unknown criterion's code, so exclusions are counted by reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.crypto.fields import EncryptedDateField
from trial.models.choices import PddmCategory
from trial.models.screening import ScreeningEntry


class EligibilityAssessment(AuditedModel):
    screening = models.OneToOneField(
        ScreeningEntry, on_delete=models.PROTECT, related_name="eligibility"
    )
    date_of_birth = EncryptedDateField(
        _("date of birth"),
        null=True,
        blank=True,
        help_text=_("Optional: when given, the age rule uses it instead of the stated age."),
    )
    lbp_onset = models.DateField(_("low back pain began on"), null=True, blank=True)
    lbp_half_days_last_6_months = models.BooleanField(
        _("pain on at least half the days of the past 6 months"), null=True, blank=True
    )
    pddm_nociceptive = models.CharField(
        _("PDDM nociceptive drivers"), max_length=1, choices=PddmCategory.choices, blank=True
    )
    pddm_nervous_system = models.CharField(
        _("PDDM nervous-system dysfunction"), max_length=1, choices=PddmCategory.choices, blank=True
    )
    pddm_comorbidity = models.CharField(
        _("PDDM comorbidity"), max_length=1, choices=PddmCategory.choices, blank=True
    )
    pddm_cognitive_emotional = models.CharField(
        _("PDDM cognitive-emotional"), max_length=1, choices=PddmCategory.choices, blank=True
    )
    pddm_contextual = models.CharField(
        _("PDDM contextual"), max_length=1, choices=PddmCategory.choices, blank=True
    )
    previous_spinal_surgery = models.BooleanField(
        _("previous spinal surgery"), null=True, blank=True
    )
    vertebral_fracture = models.BooleanField(_("vertebral fracture"), null=True, blank=True)
    radiculopathy = models.BooleanField(_("radiculopathy"), null=True, blank=True)
    spondylolysis = models.BooleanField(_("spondylolysis"), null=True, blank=True)
    spondylolisthesis = models.BooleanField(_("spondylolisthesis"), null=True, blank=True)
    scoliosis_degrees = models.DecimalField(
        _("scoliosis (Cobb angle, degrees; 0 if none)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    exercise_limiting_condition = models.BooleanField(
        _("condition preventing exercise (e.g. systemic inflammation)"), null=True, blank=True
    )
    # The stored result of the last evaluation (recomputed on every save by the service).
    protocol_version = models.CharField(max_length=16, blank=True)
    eligible = models.BooleanField(null=True)
    failed_criteria = models.JSONField(default=list, blank=True)
    unknown_criteria = models.JSONField(default=list, blank=True)
    # A PI may enrol someone a rule excludes, with a reason; audited like everything else.
    override_reason = models.TextField(_("override reason"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_excluded_fields = frozenset({"updated_at"})
    audit_encrypted_fields = frozenset({"date_of_birth"})

    class Meta:
        verbose_name = _("eligibility assessment")

    def __str__(self) -> str:
        return f"eligibility of {self.screening.screening_code}"

    @property
    def may_enrol(self) -> bool:
        return self.enrolment_allowed(self.eligible, self.overridden_by_id)

    @staticmethod
    def enrolment_allowed(eligible: bool | None, overridden_by_id: int | None) -> bool:
        """Eligible, or enrolled anyway by the PI's override (for readers of the raw columns)."""
        return bool(eligible) or bool(overridden_by_id)

    def audit_subject(self) -> str:
        return self.screening.audit_subject()
