"""Data queries: a question about one field of one form, answered by the enterer, closed by the
data manager. Open ones are on the coordinator's worklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models.participant import Participant


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class QueryOrigin(models.TextChoices):
    MANUAL = "manual", _("Raised by the data manager")
    DOUBLE_ENTRY = "double_entry", _("Double-entry discrepancy")


class DataQuery(AuditedModel):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="queries")
    visit_code = models.CharField(_("visit"), max_length=32)
    form_code = models.CharField(_("form"), max_length=32)
    field_name = models.CharField(_("field"), max_length=64)
    question = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=8, choices=QueryStatus.choices, default=QueryStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(
        max_length=16, choices=QueryOrigin.choices, default=QueryOrigin.MANUAL
    )
    # The person who entered the data and should answer (None: any enterer of the form).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_queries",
        null=True,
        blank=True,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    audit_excluded_fields = frozenset({"raised_at"})

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("data query")
        verbose_name_plural = _("data queries")

    def __str__(self) -> str:
        return f"query on {self.form_code}.{self.field_name} ({self.participant_id})"

    def audit_subject(self) -> str:
        return self.participant.study_id
