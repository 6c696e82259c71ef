"""Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.100, §11.200).

A signature is a record of its own, bound to what was signed by the SHA-256 of its content: the
signer, their printed name and role at the time, the meaning, and the UTC time. It is never edited
or deleted; a change to the signed data voids it (``voided_at``) and the item is to sign again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel


class SignatureMeaning(models.TextChoices):
    APPROVED = "approved", _("reviewed and approved")
    AUTHORED = "authored", _("authored")
    REVIEWED = "reviewed", _("reviewed")
    LOCKED = "locked", _("database locked")
    UNBLINDED = "unblinded", _("trial unblinded")


SIGNED_KINDS = {
    "visit": _("visit sign-off"),
    "database_lock": _("database lock"),
    "trial_unblinding": _("trial unblinding"),
    "eligibility_override": _("eligibility override"),
    "eligibility_decision": _("eligibility decision"),
    "serious_event_review": _("serious adverse event review"),
}


class ElectronicSignature(AuditedModel):
    # Signing the lock and the unblinding happens while the database is locked.
    editable_when_locked = True

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(_("printed name"), max_length=300)
    role = models.CharField(_("role at signing"), max_length=100)
    meaning = models.CharField(_("meaning"), max_length=20, choices=SignatureMeaning.choices)
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    # What was signed: a kind ("visit", "database_lock"...) and a key within it.
    object_type = models.CharField(max_length=50, db_index=True)
    object_key = models.CharField(max_length=200, db_index=True)
    participant = models.ForeignKey(
        "trial.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit_code = models.CharField(max_length=32, blank=True)
    content_sha256 = models.CharField(max_length=64)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("electronic signature")
        ordering = ("-signed_at",)
        indexes = [models.Index(fields=["participant", "visit_code", "voided_at"])]

    def __str__(self) -> str:
        when = f"{self.signed_at:%Y-%m-%d %H:%M} UTC"
        return f"{self.printed_name} · {self.get_meaning_display()} · {when}"

    def audit_subject(self) -> str:
        return self.participant.study_id if self.participant_id else ""

    @property
    def kind_label(self) -> str:
        return str(SIGNED_KINDS.get(self.object_type, self.object_type))

    @property
    def manifestation(self) -> str:
        """§11.50: printed name, date and time, and meaning, shown wherever the record is."""
        return str(self)
