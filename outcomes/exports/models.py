"""A record of each export: who, when, with which options, how many rows and the file's SHA-256.

Not an ``AuditedModel``: it is itself part of the trail (the audit event written at the end carries
the same facts), and exports must go on while the database is locked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportRecord(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dataset = models.CharField(_("dataset"), max_length=32)
    options = models.JSONField(_("options"), default=dict)
    status = models.CharField(max_length=8, choices=ExportStatus.choices)
    participants_total = models.PositiveIntegerField(default=0)
    participants_done = models.PositiveIntegerField(default=0)
    rows = models.PositiveBigIntegerField(_("data rows"), default=0)
    sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    file = models.CharField(_("stored file (background exports)"), max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.dataset})"

    @property
    def options_text(self) -> str:
        """The options in words for the recent-exports list (the stored dict is for the trail)."""
        words = [
            str(_("de-identified")) if self.options.get("deidentified") else "",
            str(_("identified (names and contacts)")) if self.options.get("identified") else "",
            str(_("with the arm")) if self.options.get("include_arm") else str(_("no arm")),
        ]
        return ", ".join(word for word in words if word)

    @property
    def progress_pct(self) -> int:
        if not self.participants_total:
            return 100 if self.status == ExportStatus.DONE else 0
        return round(100 * self.participants_done / self.participants_total)
