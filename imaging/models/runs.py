"""Segmentation runs (one per series, model and code version) and the metrics they produce."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from imaging.models.studies import ImagingSeries, ImagingStudy
from trial.audit.models import AuditedModel


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a corrected mask")


class SegmentationRun(AuditedModel):
    """Labels for one series and what was measured from them.

    ``key`` = study + series (database ids) + label hash + code version: a task delivered twice
    finds the run it already made instead of measuring again, and the same images stored for two
    participants never share a run."""

    study = models.ForeignKey(ImagingStudy, on_delete=models.CASCADE, related_name="runs")
    series = models.ForeignKey(ImagingSeries, on_delete=models.PROTECT, related_name="runs")
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    label_source = models.CharField(_("label source"), max_length=16)  # model, reference, upload
    model_name = models.CharField(_("model or mask"), max_length=128)
    model_sha256 = models.CharField(_("model or mask SHA-256"), max_length=64)
    code_version = models.CharField(_("code version"), max_length=32)
    label_table = models.JSONField(_("label table"), default=list)
    fat_method = models.CharField(_("fat method"), max_length=8)
    result = models.JSONField(_("measurement document"), default=dict)
    qc_flags = models.JSONField(_("QC flags"), default=list)
    # The model's confidence report; a run that needs correction is approved only with a
    # corrected mask or an override with a reason (imaging.services.review.decide).
    confidence = models.JSONField(_("confidence"), default=dict, blank=True)
    needs_correction = models.BooleanField(_("needs correction"), default=False)
    seg_series_uid = models.CharField(_("SEG series UID"), max_length=64, blank=True)
    seg_stored = models.BooleanField(_("SEG stored in the PACS"), default=False)
    review = models.CharField(
        _("review"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_excluded_fields = frozenset({"result"})

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("segmentation run")

    def __str__(self) -> str:
        return f"run {self.pk} of study {self.study_id}"

    def audit_subject(self) -> str:
        return self.study.participant.study_id


class MuscleMetric(AuditedModel):
    """One muscle, side and level of a run. ``level`` is L1..L5, ``L1-L5`` or ``all`` slices."""

    run = models.ForeignKey(SegmentationRun, on_delete=models.CASCADE, related_name="metrics")
    muscle = models.CharField(_("muscle"), max_length=32)
    side = models.CharField(_("side"), max_length=8)
    level = models.CharField(_("level"), max_length=8)
    csa_mm2 = models.FloatField(_("CSA at mid-level (mm²)"), null=True)
    mean_csa_mm2 = models.FloatField(_("mean CSA (mm²)"), null=True)
    volume_mm3 = models.FloatField(_("volume (mm³)"), null=True)
    fat_fraction_pct = models.FloatField(_("fat fraction (%)"), null=True)
    n_slices = models.PositiveIntegerField(_("slices"))
    fat_method = models.CharField(_("fat method"), max_length=8)
    parameters = models.JSONField(_("method parameters"), default=dict)
    image_sha256 = models.CharField(max_length=64)
    labels_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["run", "muscle", "side", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "muscle", "side", "level"], name="one_value_per_muscle_side_level"
            )
        ]
        verbose_name = _("muscle metric")

    def __str__(self) -> str:
        return f"{self.muscle} {self.side} {self.level}"

    def audit_subject(self) -> str:
        return self.run.study.participant.study_id
