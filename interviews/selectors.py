"""Queries for the interviews pages and the counts other pages show (pooled: no arm)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from interviews.models import (
    Interview,
    InterviewInvitation,
    InvitationAnswer,
    Timepoint,
    Transcript,
)
from trial.models import Participant
from trial.models.participant import ExitKind


@dataclass(frozen=True)
class InvitationCount:
    timepoint: str
    label: str
    invited: int
    accepted: int
    declined: int
    interviewed: int
    transcribed: int  # an approved de-identified transcript exists


def invitation_counts() -> list[InvitationCount]:
    """Invited, accepted, declined, interviewed and transcribed, by timepoint (two queries)."""
    by_timepoint = {
        row["timepoint"]: row
        for row in InterviewInvitation.objects.values("timepoint").annotate(
            invited=Count("pk"),
            accepted=Count("pk", filter=Q(answer=InvitationAnswer.ACCEPTED)),
            declined=Count("pk", filter=Q(answer=InvitationAnswer.DECLINED)),
            interviewed=Count("interview"),
        )
    }
    transcribed = dict(
        Transcript.objects.filter(approved_at__isnull=False)
        .values_list("interview__invitation__timepoint")
        .annotate(n=Count("interview", distinct=True))
    )
    counts = []
    for timepoint in Timepoint:
        row = by_timepoint.get(timepoint.value, {})
        counts.append(
            InvitationCount(
                timepoint.value,
                str(timepoint.label),
                *(row.get(name, 0) for name in ("invited", "accepted", "declined", "interviewed")),
                transcribed.get(timepoint.value, 0),
            )
        )
    return counts


def invitation_candidates(limit: int = 50) -> dict[str, list[Participant]]:
    """Who could still be invited: before the programme for the pre-interview, after it started
    (completers and those who stopped) for the post-interview; never someone who withdrew."""
    people = Participant.objects.exclude(exit__kind=ExitKind.WITHDRAWN).order_by("study_id")
    return {
        Timepoint.PRE.value: list(
            people.filter(randomized_on__isnull=True).exclude(
                interview_invitations__timepoint=Timepoint.PRE
            )[:limit]
        ),
        Timepoint.POST.value: list(
            people.filter(randomized_on__isnull=False).exclude(
                interview_invitations__timepoint=Timepoint.POST
            )[:limit]
        ),
    }


def interviews_overview() -> dict[str, list]:
    """The qualitative researcher's list: what waits for an interview, a transcript, a review."""
    awaiting_interview = list(
        InterviewInvitation.objects.filter(answer=InvitationAnswer.ACCEPTED, interview__isnull=True)
        .select_related("participant")
        .order_by("participant__study_id")
    )
    interviews = list(
        Interview.objects.select_related("invitation__participant", "guide", "interviewer")
        .annotate(
            n_transcripts=Count("transcripts", distinct=True),
            n_approved=Count(
                "transcripts", filter=Q(transcripts__approved_at__isnull=False), distinct=True
            ),
            n_audio=Count(
                "recordings", filter=Q(recordings__destroyed_at__isnull=True), distinct=True
            ),
        )
        .order_by("-started_at")
    )
    return {"awaiting_interview": awaiting_interview, "interviews": interviews}
