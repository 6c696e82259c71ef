"""Invitations to the optional pre- and post-intervention interviews, and the interviews held."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant, VisitRecord
from trial.validators import not_in_future


class Timepoint(models.TextChoices):
    """The protocol's two optional interview visits (their codes in ``PROTOCOL.visits``)."""

    PRE = "pre_interview", _("Pre-intervention interview")
    POST = "post_interview", _("Post-intervention interview")


class InvitationAnswer(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class AudioConsent(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked yet")
    GIVEN = "given", _("Consents to audio recording")
    REFUSED = "refused", _("Refuses audio recording")


class InterviewMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")


class InterviewInvitation(AuditedModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="interview_invitations"
    )
    timepoint = models.CharField(_("interview"), max_length=16, choices=Timepoint.choices)
    invited_on = models.DateField(_("invited on"), validators=[not_in_future])
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    answer = models.CharField(
        _("answer"), max_length=8, choices=InvitationAnswer.choices, default="pending"
    )
    answered_on = models.DateField(
        _("answered on"), null=True, blank=True, validators=[not_in_future]
    )
    # Separate consent to audio recording (the trial's main consent does not cover it).
    audio_consent = models.CharField(
        _("audio-recording consent"),
        max_length=12,
        choices=AudioConsent.choices,
        default=AudioConsent.NOT_ASKED,
    )
    audio_consent_version = models.CharField(
        _("audio consent form version"), max_length=32, blank=True
    )
    audio_consent_on = models.DateField(
        _("audio consent signed on"), null=True, blank=True, validators=[not_in_future]
    )
    audio_consent_obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("audio consent obtained by"),
    )

    class Meta:
        ordering = ["participant__study_id", "timepoint"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "timepoint"], name="one_invitation_per_interview"
            )
        ]
        verbose_name = _("interview invitation")

    def __str__(self) -> str:
        return f"{self.get_timepoint_display()} of {self.participant.study_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id

    @property
    def may_record_audio(self) -> bool:
        return self.audio_consent == AudioConsent.GIVEN


class Interview(AuditedModel):
    invitation = models.OneToOneField(
        InterviewInvitation, on_delete=models.PROTECT, related_name="interview"
    )
    guide = models.ForeignKey(
        "interviews.InterviewGuide",
        on_delete=models.PROTECT,
        related_name="interviews",
        verbose_name=_("guide version"),
    )
    mode = models.CharField(_("mode"), max_length=12, choices=InterviewMode.choices)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    started_at = models.DateTimeField(_("started at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    # The first three interviews held with each guide (pre, post) pilot it.
    pilot = models.BooleanField(_("pilot interview"), default=False, editable=False)
    visit = models.OneToOneField(
        VisitRecord, on_delete=models.PROTECT, related_name="+", editable=False
    )
    notes = models.TextField(_("interviewer's notes (no identifying details)"), blank=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("interview")

    def __str__(self) -> str:
        return str(self.invitation)

    def audit_subject(self) -> str:
        return self.invitation.participant.study_id
