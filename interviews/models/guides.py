"""Interview guides as versioned documents: each version says what changed from the last and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class InterviewGuide(AuditedModel):
    timepoint = models.CharField(_("interview"), max_length=16)  # a Timepoint value
    version = models.CharField(_("version"), max_length=16)
    questions = models.TextField(_("questions and prompts"))
    changes = models.TextField(
        _("what changed from the previous version, and why"),
        blank=True,
        help_text=_("Required from the second version on (e.g. after the pilot interviews)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_excluded_fields = frozenset({"created_at"})

    class Meta:
        ordering = ["timepoint", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["timepoint", "version"], name="one_guide_version")
        ]
        verbose_name = _("interview guide")

    def __str__(self) -> str:
        return f"{self.get_timepoint_label()} guide v{self.version}"

    def get_timepoint_label(self) -> str:
        from interviews.models.interviews import Timepoint

        return str(Timepoint(self.timepoint).label)
