"""A record of each run of the statistical analysis plan: who, when, on which allocation (dummy
or real), the SHA-256 of the data snapshot it read, the code version, and the files it wrote.

Not an ``AuditedModel`` (as exports): the real analysis runs after the database lock; the audit
event written at the end carries the same facts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcomes.exports.models import ExportStatus


class AnalysisRun(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dummy = models.BooleanField(_("dummy allocation"), default=True)
    status = models.CharField(max_length=8, choices=ExportStatus.choices)
    step = models.CharField(_("current step"), max_length=64, blank=True)
    data_sha256 = models.CharField(_("data snapshot SHA-256"), max_length=64, blank=True)
    code_version = models.CharField(max_length=64, blank=True)
    participants = models.PositiveIntegerField(default=0)
    html_file = models.CharField(max_length=255, blank=True)
    pdf_file = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("analysis run")

    def __str__(self) -> str:
        return f"analysis run {self.pk} ({'dummy' if self.dummy else 'real'} allocation)"
