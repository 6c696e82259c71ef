"""The model registry: each segmentation model the pipeline may use, by the SHA-256 of its config
and weights, with its label table, training data and evaluation figures. Runs store the same
SHA-256, so every measurement names the exact model behind it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class ModelFormat(models.TextChoices):
    MUSCLEMAP = "musclemap", _("MuscleMap (JSON config + state dict)")
    BUNDLE = "bundle", _("MONAI bundle")


class SegmentationModel(AuditedModel):
    name = models.CharField(_("name"), max_length=128)
    version = models.CharField(_("version"), max_length=32)
    format = models.CharField(_("format"), max_length=16, choices=ModelFormat.choices)
    sha256 = models.CharField(_("model SHA-256 (config + weights)"), max_length=64, unique=True)
    config_sha256 = models.CharField(_("config SHA-256"), max_length=64)
    weights_sha256 = models.CharField(_("weights SHA-256"), max_length=64)
    config_path = models.CharField(_("config file"), max_length=500)
    label_table = models.JSONField(_("label table"), default=list)
    training_data = models.TextField(_("training data"), blank=True)
    evaluation = models.JSONField(_("evaluation results"), default=dict)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("segmentation model")

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.sha256[:12]})"
