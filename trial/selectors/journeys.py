"""Timelines of many participants from a fixed number of queries, with blinding applied.

``journeys`` issues the same number of SQL queries for 5 or 500 participants: one per source
table, never one per participant. Forms a reader must not know about (the LSIQ for a therapist)
are dropped here, before any template sees them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet

from imaging.selectors import approved_visits
from outcomes.models import (
    ActigraphyRecording,
    DynamoTest,
    InstrumentResponse,
    MedxTest,
    ProcessingStatus,
)
from outcomes.selectors import pain_weeks_done
from randomization.selectors import visible_arms
from trial.models import (
    MedicalHistory,
    MriSafety,
    Participant,
    Sociodemographics,
    StudyExit,
    VisitRecord,
)
from trial.models.queries import DataQuery, QueryStatus
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Arm
from trial.schedule.timeline import Recorded, VisitState, VisitStatus, timeline
from trial.selectors.anchors import SessionSummary, anchor_dates, session_summaries


class Stage(StrEnum):
    CONSENTED = "consented"
    BASELINE_DONE = "baseline_done"
    RANDOMISED = "randomised"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"
    WITHDRAWN = "withdrawn"
    LOST = "lost"


@dataclass(frozen=True)
class Journey:
    participant: Participant
    stage: Stage
    visits: tuple[VisitStatus, ...]
    sessions: SessionSummary | None  # None for a reader who may not see adherence
    arm: Arm | None  # None for a reader blinded to the arm
    exit: StudyExit | None
    open_queries: int

    def visit(self, code: str) -> VisitStatus:
        return next(v for v in self.visits if v.visit.code == code)


def hidden_forms_for(user: object) -> frozenset[str]:
    if user.has_perm("trial.view_lsiq"):  # type: ignore[attr-defined]
        return frozenset()
    return frozenset({PROTOCOL.stratification.instrument})


def forms_done(participant_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """(visit, form) pairs entered, per participant: one query per form source."""
    done: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for pid, visit, form in InstrumentResponse.objects.filter(
        participant_id__in=participant_ids
    ).values_list("participant_id", "visit_code", "instrument"):
        done[pid].add((visit, form))
    for model, form in (
        (Sociodemographics, "sociodemographics"),
        (MedicalHistory, "medical_history"),
    ):
        for pid in model.objects.filter(participant_id__in=participant_ids).values_list(
            "participant_id", flat=True
        ):
            done[pid].add(("baseline", form))
    for model, form in ((MedxTest, "medx"), (DynamoTest, "dynamo")):
        for pid, visit in (
            model.objects.filter(participant_id__in=participant_ids)
            .values_list("participant_id", "visit_code")
            .distinct()
        ):
            done[pid].add((visit, form))
    for pid, visit in ActigraphyRecording.objects.filter(
        participant_id__in=participant_ids, status=ProcessingStatus.DONE
    ).values_list("participant_id", "visit_code"):
        done[pid].add((visit, "actigraphy"))
    for pid, visit in approved_visits(participant_ids):
        done[pid].add((visit, "mri"))
    for pid, weeks in pain_weeks_done(participant_ids).items():
        done[pid].update((week, "mmp_pain") for week in weeks)
    for pid in MriSafety.objects.filter(
        screening__participant__in=participant_ids, confirmed_at_baseline_on__isnull=False
    ).values_list("screening__participant", flat=True):
        done[pid].add(("baseline", "mri_safety"))
    return done


def _stage(
    visits: dict[str, VisitStatus], participant: Participant, exit_: StudyExit | None
) -> Stage:
    if exit_ is not None:
        return Stage(exit_.kind)
    week16 = visits["week16"].state
    if week16 in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
        return Stage.COMPLETED
    if participant.is_randomised:
        return Stage.RANDOMISED
    if visits["baseline"].state in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
        return Stage.BASELINE_DONE
    return Stage.CONSENTED


def journeys(
    user: object, participants: QuerySet[Participant] | Iterable[Participant], today: dt.date
) -> list[Journey]:
    rows = list(
        participants.select_related("screening", "exit")
        if isinstance(participants, QuerySet)
        else participants
    )
    ids = [p.pk for p in rows]
    recorded: dict[int, dict[str, Recorded]] = defaultdict(dict)
    for pid, code, outcome, done_on in VisitRecord.objects.filter(
        participant_id__in=ids
    ).values_list("participant_id", "visit_code", "outcome", "done_on"):
        recorded[pid][code] = Recorded(done_on, missed=outcome == VisitOutcome.MISSED)
    done = forms_done(ids)
    summaries = session_summaries(ids)
    arms = visible_arms(user, ids)
    queries = Counter(
        DataQuery.objects.filter(participant_id__in=ids)
        .exclude(status=QueryStatus.CLOSED)
        .values_list("participant_id", flat=True)
    )
    hidden = hidden_forms_for(user)
    may_see_adherence = user.has_perm("trial.view_adherence")  # type: ignore[attr-defined]
    result = []
    for participant in rows:
        # Screening happened on the day the person was approached: the log entry is the record.
        recorded[participant.pk].setdefault(
            "screening", Recorded(participant.screening.screened_on)
        )
        exit_ = participant.exit if hasattr(participant, "exit") else None
        summary = summaries.get(participant.pk, SessionSummary())
        invited = {
            code
            for code, flag in (
                ("pre_interview", participant.invited_pre_interview),
                ("post_interview", participant.invited_post_interview),
            )
            if flag
        }
        statuses = timeline(
            PROTOCOL,
            anchor_dates(participant, summary, exit_ is not None),
            recorded[participant.pk],
            done[participant.pk],
            today,
            invited=invited,
            hidden_forms=hidden,
            follow_up_ended_on=exit_.exit_on if exit_ and exit_.ends_follow_up else None,
        )
        by_code = {s.visit.code: s for s in statuses}
        result.append(
            Journey(
                participant=participant,
                stage=_stage(by_code, participant, exit_),
                visits=tuple(statuses),
                sessions=summary if may_see_adherence else None,
                arm=arms.get(participant.pk),
                exit=exit_,
                open_queries=queries.get(participant.pk, 0),
            )
        )
    return result
