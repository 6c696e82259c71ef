"""The dates a participant's visits are counted from, and per-participant session summaries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from trial.models import Participant, TrainingSession
from trial.models.sessions import Attendance
from trial.protocol import PROTOCOL
from trial.protocol.schema import Anchor


@dataclass(frozen=True)
class SessionSummary:
    logged: int = 0
    attended: int = 0
    last_number: int = 0
    last_date: dt.date | None = None

    @property
    def total(self) -> int:
        """Sessions the protocol plans (the denominator of adherence)."""
        return PROTOCOL.sessions.total

    @property
    def adherence(self) -> float:
        """Attended sessions over the planned total."""
        return self.attended / self.total


def session_summaries(participant_ids: Iterable[int]) -> dict[int, SessionSummary]:
    """One aggregate query for any number of participants."""
    rows = (
        TrainingSession.objects.filter(participant_id__in=list(participant_ids))
        .values("participant_id")
        .annotate(
            logged=Count("id"),
            attended=Count("id", filter=Q(attendance=Attendance.ATTENDED)),
            last_number=Max("number"),
            last_date=Max("session_date"),
        )
    )
    return {
        row["participant_id"]: SessionSummary(
            row["logged"], row["attended"], row["last_number"], row["last_date"]
        )
        for row in rows
    }


def anchor_dates(
    participant: Participant, summary: SessionSummary, left_intervention: bool
) -> dict[Anchor, dt.date | None]:
    """Session 1 is the randomisation date once randomised, the planned date before that. The
    final session is session 48, or the last one logged when the person left the programme."""
    finished = summary.last_number == PROTOCOL.sessions.total or (
        left_intervention and summary.logged
    )
    return {
        Anchor.SCREENING: participant.screening.screened_on,
        Anchor.CONSENT: participant.consent_date,
        Anchor.SESSION_1: participant.randomized_on or participant.session_1_planned_on,
        Anchor.FINAL_SESSION: summary.last_date if finished else None,
    }


def anchors_for(participant: Participant) -> dict[Anchor, dt.date | None]:
    summary = session_summaries([participant.pk]).get(participant.pk, SessionSummary())
    left = hasattr(participant, "exit")
    return anchor_dates(participant, summary, left)
