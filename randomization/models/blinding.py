"""Emergency unblinding, trial unblinding after database lock, and the assessor's guess of the
arm (for a blinding index once the trial is unblinded)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant
from trial.protocol import PROTOCOL
from trial.validators import not_in_future


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the PI")
    APPROVED = "approved", _("Approved: arm revealed to the requester")
    DECLINED = "declined", _("Declined")


class UnblindingRequest(AuditedModel):
    # A participant's safety never waits for a database unlock.
    editable_when_locked = True

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="unblinding_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("why the arm must be known (clinical emergency)"))
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    audit_excluded_fields = frozenset({"requested_at"})

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("emergency unblinding request")

    def __str__(self) -> str:
        return f"unblinding request {self.pk}"

    def audit_subject(self) -> str:
        return self.participant.study_id


DONT_KNOW = "dont_know"
# The arms come from the protocol (declared once); "do not know" is a valid answer (Bang 2004).
GUESS_CHOICES = [(arm.code, arm.label) for arm in PROTOCOL.arms] + [(DONT_KNOW, _("Do not know"))]


class BlindingGuess(AuditedModel):
    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="blinding_guess"
    )
    guess = models.CharField(_("which arm do you think?"), max_length=16, choices=GUESS_CHOICES)
    confidence = models.PositiveSmallIntegerField(
        _("confidence (1 = a pure guess, 5 = certain)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    guessed_on = models.DateField(_("date"), validators=[not_in_future])
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    audit_sealed_fields = frozenset({"guess"})  # a guess is a hint of the arm to other readers

    class Meta:
        verbose_name = _("assessor's guess of the arm")

    def __str__(self) -> str:
        return f"guess for {self.participant_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id
