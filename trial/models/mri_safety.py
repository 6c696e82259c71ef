"""The MRI safety questionnaire: answered at screening (it feeds the eligibility rule) and
confirmed at the baseline visit before the scan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.screening import ScreeningEntry


class MriSafety(AuditedModel):
    screening = models.OneToOneField(
        ScreeningEntry, on_delete=models.PROTECT, related_name="mri_safety"
    )
    mri_pacemaker = models.BooleanField(_("pacemaker or implanted defibrillator"), null=True)
    mri_aneurysm_clip = models.BooleanField(_("aneurysm clip"), null=True)
    mri_metal_implant = models.BooleanField(_("metal implant or device"), null=True)
    mri_metal_in_eye_or_body = models.BooleanField(_("metal fragment in eye or body"), null=True)
    mri_tattoo = models.BooleanField(_("tattoo or permanent make-up"), null=True)
    mri_piercing = models.BooleanField(_("piercing that cannot be removed"), null=True)
    mri_braces = models.BooleanField(_("dental braces"), null=True)
    mri_claustrophobia = models.BooleanField(_("claustrophobia"), null=True)
    mri_pregnancy = models.BooleanField(_("pregnant or possibly pregnant"), null=True)
    mri_cleared_by_unit = models.BooleanField(
        _("cleared by the MRI unit after review (tattoo, piercing, braces only)"), default=False
    )
    confirmed_at_baseline_on = models.DateField(
        _("re-confirmed at baseline on"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_excluded_fields = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("MRI safety questionnaire")

    def __str__(self) -> str:
        return f"MRI safety of {self.screening.screening_code}"

    def audit_subject(self) -> str:
        return self.screening.audit_subject()
