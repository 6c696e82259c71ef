"""Guide versions and the interviews held (each recorded against the protocol's visit window)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from interviews.models import Interview, InterviewGuide, InterviewInvitation, InvitationAnswer
from interviews.services.invitations import InvitationRefused
from trial.services.visits import record_visit

PILOT_INTERVIEWS = 3  # the registration: the guide is piloted with three participants


@transaction.atomic
def add_guide_version(
    timepoint: str, version: str, questions: str, changes: str, user: object
) -> InterviewGuide:
    """A new version of a guide; from the second on, it must say what changed and why."""
    earlier = InterviewGuide.objects.filter(timepoint=timepoint).exists()
    if earlier and not changes.strip():
        raise InvitationRefused("Say what changed from the previous version, and why.")
    guide = InterviewGuide(
        timepoint=timepoint,
        version=version.strip(),
        questions=questions,
        changes=changes.strip(),
        created_by=user,
    )
    guide.full_clean()
    guide.save()
    return guide


def current_guide(timepoint: str) -> InterviewGuide | None:
    return InterviewGuide.objects.filter(timepoint=timepoint).order_by("-created_at").first()


@transaction.atomic
def record_interview(
    invitation: InterviewInvitation,
    user: object,
    *,
    guide: InterviewGuide,
    mode: str,
    interviewer: object,
    started_at: dt.datetime,
    duration_minutes: int,
    out_of_window_reason: str = "",
    notes: str = "",
) -> Interview:
    """Record the interview held; its date must fall in the visit window or carry a reason
    (``OutOfWindow`` otherwise, nothing saved). The first three of each guide are the pilot."""
    if invitation.answer != InvitationAnswer.ACCEPTED:
        raise InvitationRefused("Record the participant's acceptance before the interview.")
    if hasattr(invitation, "interview"):
        raise InvitationRefused("This interview is already recorded.")
    if guide.timepoint != invitation.timepoint:
        raise InvitationRefused(f"{guide} is not a guide for this interview.")
    if started_at > timezone.now():
        raise InvitationRefused("An interview cannot be recorded before it starts.")
    visit = record_visit(
        invitation.participant,
        invitation.timepoint,
        user,
        done_on=timezone.localtime(started_at).date(),
        out_of_window_reason=out_of_window_reason,
    )
    held = Interview.objects.filter(invitation__timepoint=invitation.timepoint).count()
    interview = Interview(
        invitation=invitation,
        guide=guide,
        mode=mode,
        interviewer=interviewer,
        started_at=started_at,
        duration_minutes=duration_minutes,
        pilot=held < PILOT_INTERVIEWS,
        visit=visit,
        notes=notes,
    )
    interview.full_clean()
    interview.save()
    return interview
