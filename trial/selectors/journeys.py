"""Timelines of many participants from a fixed number of queries, with blinding applied.

``journeys`` issues the same number of SQL queries for 5 or 500 participants: one per source
table, never one per participant. Forms a reader must not know about (the LSIQ for a therapist)
are dropped here, before any template sees them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from django.db.models import QuerySet

from trial.arms import may_see_arm, visible_arms
from trial.handlers import form_link, forms_done, permitted_url
from trial.models import Participant, StudyExit, VisitRecord
from trial.models.queries import DataQuery, QueryStatus
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Anchor, Arm
from trial.schedule.timeline import Recorded, VisitState, VisitStatus, timeline
from trial.selectors.anchors import SessionSummary, anchor_dates, session_summaries
from trial.selectors.data_version import DerivedCache, data_version


class Stage(StrEnum):
    CONSENTED = "consented"
    BASELINE_DONE = "baseline_done"
    RANDOMISED = "randomised"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"
    WITHDRAWN = "withdrawn"
    LOST = "lost"


@dataclass(frozen=True)
class Stratum:
    """The randomisation stratum: it tells the LSIQ band, so only LSIQ readers get one."""

    code: str
    mis_stratified: bool

    @property
    def label(self) -> str:
        return PROTOCOL.stratum_label(self.code)


@dataclass(frozen=True)
class Journey:
    participant: Participant
    stage: Stage
    visits: tuple[VisitStatus, ...]
    sessions: SessionSummary | None  # None for a reader who may not see adherence
    arm: Arm | None  # None for a reader blinded to the arm
    exit: StudyExit | None
    open_queries: int
    stratum: Stratum | None = None  # None for a reader who may not know the LSIQ

    def visit(self, code: str) -> VisitStatus:
        return next(v for v in self.visits if v.visit.code == code)


def may_know_lsiq(user: object) -> bool:
    return bool(user.has_perm("trial.view_lsiq"))  # type: ignore[attr-defined]


def may_see_adherence(user: object) -> bool:
    return bool(user.has_perm("trial.view_adherence"))  # type: ignore[attr-defined]


def hidden_forms_for(user: object) -> frozenset[str]:
    if may_know_lsiq(user):
        return frozenset()
    return frozenset({PROTOCOL.stratification.instrument})


def _stratum(user_knows_lsiq: bool, participant: Participant) -> Stratum | None:
    if not user_knows_lsiq or not participant.randomization_stratum:
        return None
    return Stratum(participant.randomization_stratum, participant.mis_stratified)


def _stage(
    visits: dict[str, VisitStatus], participant: Participant, exit_: StudyExit | None
) -> Stage:
    if exit_ is not None:
        return Stage(exit_.kind)
    endpoint = visits[PROTOCOL.primary_endpoint_visit].state
    if endpoint in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
        return Stage.COMPLETED
    if participant.is_randomised:
        return Stage.RANDOMISED
    if visits[PROTOCOL.baseline_visit].state in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
        return Stage.BASELINE_DONE
    return Stage.CONSENTED


def with_links(user: object, journey: Journey) -> Journey:
    """The journey with the URL of each visit and form this reader may open (the participant
    page needs them; lists do not, so they are not resolved there)."""
    study_id = journey.participant.study_id
    visits = []
    for status in journey.visits:
        code = status.visit.code
        forms = tuple(
            replace(form, url=form_link(user, study_id, code, form.form.code))
            for form in status.forms
        )
        url = (
            ""
            if status.visit.anchor is Anchor.SCREENING
            else permitted_url(user, "visit_record", study_id, code)
        )
        visits.append(replace(status, forms=forms, url=url))
    return replace(journey, visits=tuple(visits))


@dataclass(frozen=True)
class _Facts:
    """What a participant's journey shows that does not depend on who reads it (beyond the
    forms hidden from them): computed once per data change, not once per request."""

    stage: Stage
    visits: tuple[VisitStatus, ...]
    sessions: SessionSummary
    open_queries: int


_facts_cache = DerivedCache(size=32)


def _facts(rows: list[Participant], today: dt.date, hidden: frozenset[str]) -> dict[int, _Facts]:
    ids = [p.pk for p in rows]
    recorded: dict[int, dict[str, Recorded]] = defaultdict(dict)
    for pid, code, outcome, done_on in VisitRecord.objects.filter(
        participant_id__in=ids
    ).values_list("participant_id", "visit_code", "outcome", "done_on"):
        recorded[pid][code] = Recorded(done_on, missed=outcome == VisitOutcome.MISSED)
    done = forms_done(ids)
    summaries = session_summaries(ids)
    queries = Counter(
        DataQuery.objects.filter(participant_id__in=ids)
        .exclude(status=QueryStatus.CLOSED)
        .values_list("participant_id", flat=True)
    )
    facts = {}
    for participant in rows:
        # Screening happened on the day the person was approached: the log entry is the record.
        recorded[participant.pk].setdefault(
            PROTOCOL.screening_visit(), Recorded(participant.screening.screened_on)
        )
        exit_ = participant.exit if hasattr(participant, "exit") else None
        summary = summaries.get(participant.pk, SessionSummary())
        invited = {
            code
            for code in PROTOCOL.optional_visits()
            if getattr(participant, f"invited_{code}", False)
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
        facts[participant.pk] = _Facts(
            _stage(by_code, participant, exit_),
            tuple(statuses),
            summary,
            queries.get(participant.pk, 0),
        )
    return facts


def journeys(
    user: object, participants: QuerySet[Participant] | Iterable[Participant], today: dt.date
) -> list[Journey]:
    """One journey per participant, with what ``user`` may see. The reader-independent part is
    kept per process under the data stamp (``trial.selectors.data_version``): worklists and
    dashboards ask for every participant's journey on every request."""
    rows = list(
        participants.select_related("screening", "exit")
        if isinstance(participants, QuerySet)
        else participants
    )
    ids = [p.pk for p in rows]
    hidden = hidden_forms_for(user)
    version = data_version()
    key = None if version is None else (version, today, hidden, tuple(ids))
    facts = _facts_cache.get_or_compute(key, lambda: _facts(rows, today, hidden))
    arms = visible_arms(user, ids)
    adherence_visible = may_see_adherence(user)
    lsiq_known = may_know_lsiq(user)
    return [
        Journey(
            participant=participant,
            stage=facts[participant.pk].stage,
            visits=facts[participant.pk].visits,
            sessions=facts[participant.pk].sessions if adherence_visible else None,
            arm=arms.get(participant.pk),
            exit=participant.exit if hasattr(participant, "exit") else None,
            open_queries=facts[participant.pk].open_queries,
            stratum=_stratum(lsiq_known, participant),
        )
        for participant in rows
    ]


@dataclass(frozen=True)
class ParticipantTable:
    """Rows of the participant list with the columns this reader may see: the arm column only
    when some arm is visible, adherence only to those who may know it."""

    rows: list[Journey]
    show_arm: bool
    show_adherence: bool


def participant_table(
    user: object, participants: QuerySet[Participant], today: dt.date
) -> ParticipantTable:
    rows = journeys(user, participants, today)
    return ParticipantTable(
        rows=rows,
        show_arm=may_see_arm(user) or any(row.arm for row in rows),
        show_adherence=may_see_adherence(user),
    )
