"""Inviting a participant to an interview, the answer, and the separate audio-recording consent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from interviews.models import AudioConsent, InterviewInvitation, InvitationAnswer, Timepoint
from trial.models import Participant
from trial.models.participant import ExitKind


class InvitationRefused(ValueError):
    """The invitation or answer cannot be recorded (the message says why)."""


def _check_may_invite(participant: Participant, timepoint: str, invited_on: dt.date) -> None:
    exit_record = getattr(participant, "exit", None)
    if exit_record is not None and exit_record.kind == ExitKind.WITHDRAWN:
        raise InvitationRefused(f"{participant.study_id} withdrew from the trial.")
    if invited_on < participant.consent_date:
        raise InvitationRefused("A participant is invited after consenting to the trial.")
    started = participant.randomized_on
    if timepoint == Timepoint.PRE and started is not None and invited_on >= started:
        raise InvitationRefused(
            f"{participant.study_id} started the programme on {started:%Y-%m-%d}; the "
            "pre-intervention interview is held before session 1."
        )
    if timepoint == Timepoint.POST and not participant.is_randomised:
        raise InvitationRefused(
            f"{participant.study_id} has not started the programme; the post-intervention "
            "interview follows the final session (completers and those who stopped)."
        )


@transaction.atomic
def invite(
    participant: Participant, timepoint: str, user: object, invited_on: dt.date
) -> InterviewInvitation:
    """Invite once per interview; marks the optional visit as expected for this participant."""
    if timepoint not in Timepoint.values:
        raise InvitationRefused(f"Unknown interview {timepoint!r}.")
    if InterviewInvitation.objects.filter(participant=participant, timepoint=timepoint).exists():
        raise InvitationRefused(f"{participant.study_id} is already invited to this interview.")
    _check_may_invite(participant, timepoint, invited_on)
    invitation = InterviewInvitation(
        participant=participant, timepoint=timepoint, invited_on=invited_on, invited_by=user
    )
    invitation.full_clean()
    invitation.save()
    flag = f"invited_{timepoint}"
    if not getattr(participant, flag):
        setattr(participant, flag, True)
        participant.save(reason="invited to the interview")
    return invitation


@transaction.atomic
def record_answer(
    invitation: InterviewInvitation,
    answer: str,
    answered_on: dt.date | None,
    *,
    reason: str = "",
) -> InterviewInvitation:
    if answer not in InvitationAnswer.values:
        raise InvitationRefused(f"Unknown answer {answer!r}.")
    if answer != InvitationAnswer.PENDING and answered_on is None:
        raise InvitationRefused("Give the date of the participant's answer.")
    if answered_on is not None and answered_on < invitation.invited_on:
        raise InvitationRefused(
            f"The answer ({answered_on:%Y-%m-%d}) cannot precede the invitation "
            f"({invitation.invited_on:%Y-%m-%d})."
        )
    if hasattr(invitation, "interview") and answer != InvitationAnswer.ACCEPTED:
        raise InvitationRefused("The interview has been held; the answer stays 'accepted'.")
    invitation.answer, invitation.answered_on = answer, answered_on
    invitation.full_clean()
    invitation.save(reason=reason or "participant's answer")
    return invitation


@transaction.atomic
def record_audio_consent(
    invitation: InterviewInvitation,
    consent: str,
    *,
    version: str,
    signed_on: dt.date | None,
    obtained_by: object,
    reason: str = "",
) -> InterviewInvitation:
    """Consent to audio recording is separate from the trial's consent (form version, date,
    who obtained it); without it, no audio can be stored for this interview."""
    if consent == AudioConsent.GIVEN and (not version.strip() or signed_on is None):
        raise InvitationRefused("Audio consent needs the form version and the date it was signed.")
    if signed_on is not None and signed_on < invitation.participant.consent_date:
        raise InvitationRefused("Audio consent cannot precede the trial consent.")
    invitation.audio_consent = consent
    invitation.audio_consent_version = version.strip() if consent == AudioConsent.GIVEN else ""
    invitation.audio_consent_on = signed_on if consent != AudioConsent.NOT_ASKED else None
    invitation.audio_consent_obtained_by = (
        obtained_by if consent != AudioConsent.NOT_ASKED else None
    )
    invitation.full_clean()
    invitation.save(reason=reason or "audio-recording consent")
    return invitation
