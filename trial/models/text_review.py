"""The blinding review of a free text written by unblinded staff and read by blinded staff.

A therapist's adverse-event description ("during the third set of goblet squats") tells a
blinded coordinator or monitor the arm. Such a text is shown to blinded readers only once a data
manager or the PI has cleared it as written or published a blinded version; the original is kept
(and audited) for those who may see the arm.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class TextReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting blinding review")
    CLEARED = "cleared", _("Cleared as written")
    REDACTED = "redacted", _("Blinded version published")


class TextReview(AuditedModel):
    """One free-text field of one record (``object_type`` is the model's label)."""

    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=64)
    subject = models.CharField(_("participant"), max_length=32, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the reviewed text"), max_length=64)
    flagged_terms = models.JSONField(_("words that may unblind"), default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=TextReviewStatus.choices, default=TextReviewStatus.PENDING
    )
    blinded_text = models.TextField(_("version for blinded readers"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "field"], name="one_review_per_text_field"
            )
        ]
        verbose_name = _("free-text blinding review")

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}.{self.field} ({self.status})"

    def audit_subject(self) -> str:
        return self.subject
