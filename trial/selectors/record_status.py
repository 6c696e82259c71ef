"""The record status grid (REDCap's record status dashboard): participants x visits with one
state per form, filtered and paged, from a fixed number of queries whatever the participant count.

Each form gets every state that applies (complete, verified and signed at once, say); the icon
shows the one that matters most to the reader (``PRIORITY``), the filter matches any of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import QuerySet

from trial.audit.lock import database_locked
from trial.handlers import FormState, app_form_states, form_links, forms_content
from trial.models import (
    DataQuery,
    ElectronicSignature,
    Participant,
    RecordLock,
    SourceVerification,
    VisitRecord,
)
from trial.models.queries import QueryStatus
from trial.models.record_lock import WHOLE_VISIT
from trial.protocol import PROTOCOL
from trial.protocol.schema import FormKind, Visit
from trial.schedule.timeline import VisitState, VisitStatus
from trial.selectors.journeys import Journey, hidden_forms_for, journeys
from trial.services.sdv import content_hash
from trial.services.signatures import VISIT

PRIORITY = (
    FormState.QUERIED,
    FormState.AWAITING_SECOND_ENTRY,
    FormState.INCOMPLETE,
    FormState.LOCKED,
    FormState.SIGNED,
    FormState.VERIFIED,
    FormState.COMPLETE,
    FormState.NOT_DONE,
    FormState.NOT_STARTED,
)
NOT_DUE = frozenset(
    {VisitState.NOT_SCHEDULED, VisitState.UPCOMING, VisitState.NOT_INVITED, VisitState.ENDED}
)
Key = tuple[int, str, str]  # (participant id, visit code, form code)


@dataclass(frozen=True)
class FormCell:
    code: str
    label: str
    state: FormState  # what the icon shows
    states: frozenset[FormState]
    url: str  # where this reader opens the form ("" when nowhere; filled by ``with_links``)


@dataclass(frozen=True)
class VisitCell:
    visit: Visit
    visit_state: VisitState
    forms: tuple[FormCell, ...]  # empty while the visit is not due and nothing is entered


@dataclass(frozen=True)
class StatusRow:
    journey: Journey
    cells: tuple[VisitCell, ...]


@dataclass(frozen=True)
class StatusFilter:
    query: str = ""  # part of a study ID
    stage: str = ""
    visit: str = ""
    form: str = ""
    state: str = ""


def grid_visits() -> tuple[Visit, ...]:
    """Visits with a form someone enters (the weekly app ratings arrive by import)."""
    return tuple(
        visit
        for visit in PROTOCOL.visits
        if any(PROTOCOL.form(code).kind is not FormKind.APP for code in visit.forms)
    )


def grid_forms(user: object) -> tuple[tuple[str, str], ...]:
    """(code, label) of every form on the grid this reader may know of, in schedule order, for
    the form filter."""
    hidden = hidden_forms_for(user)
    seen: dict[str, str] = {}
    for visit in grid_visits():
        for code in visit.forms:
            form = PROTOCOL.form(code)
            if form.kind is not FormKind.APP and code not in hidden:
                seen.setdefault(code, str(form.label))
    return tuple(seen.items())


def _stored_states(ids: list[int]) -> dict[Key, set[FormState]]:
    """Every state the core stores (queries, locks, sign-offs, SDV marks that still match,
    forms marked not done) plus the apps' own, per form."""
    states: dict[Key, set[FormState]] = defaultdict(set)
    for key, found in app_form_states(ids).items():
        states[key] |= found
    for key in (
        DataQuery.objects.filter(participant_id__in=ids)
        .exclude(status=QueryStatus.CLOSED)
        .values_list("participant_id", "visit_code", "form_code")
    ):
        states[key].add(FormState.QUERIED)
    marks = SourceVerification.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "visit_code", "form_code", "content_sha256"
    )
    if marks:
        contents = forms_content(ids)
        for pid, visit, form, sha in marks:
            key = (pid, visit, form)
            if key in contents and content_hash(contents[key]) == sha:
                states[key].add(FormState.VERIFIED)
    for pid, visit, forms in VisitRecord.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "visit_code", "forms_not_done"
    ):
        for form in forms or {}:
            states[(pid, visit, form)].add(FormState.NOT_DONE)
    return states


@dataclass(frozen=True)
class _Known:
    """What the grid knows beyond the journeys, read once for every participant shown."""

    states: dict[Key, set[FormState]]
    signed: set[tuple[int, str]]  # visits with a live sign-off
    visit_locks: set[tuple[int, str]]  # whole visits locked
    form_locks: set[Key]
    database_locked: bool
    labels: dict[str, str]  # form code -> name in the reader's language

    def locked(self, key: Key) -> bool:
        return self.database_locked or key[:2] in self.visit_locks or key in self.form_locks


def _known(ids: list[int]) -> _Known:
    signed = set(
        ElectronicSignature.objects.filter(
            participant_id__in=ids, object_type=VISIT, voided_at__isnull=True
        ).values_list("participant_id", "visit_code")
    )
    visit_locks, form_locks = set(), set()
    for pid, visit, form in RecordLock.objects.filter(
        participant_id__in=ids, unlocked_at__isnull=True
    ).values_list("participant_id", "visit_code", "form_code"):
        if form == WHOLE_VISIT:
            visit_locks.add((pid, visit))
        else:
            form_locks.add((pid, visit, form))
    return _Known(
        states=_stored_states(ids),
        signed=signed,
        visit_locks=visit_locks,
        form_locks=form_locks,
        database_locked=database_locked(),
        labels={form.code: str(form.label) for form in PROTOCOL.forms},  # translated once
    )


def _cell(journey: Journey, status: VisitStatus, known: _Known) -> VisitCell:
    pid, code = journey.participant.pk, status.visit.code
    cells = []
    for form_status in status.forms:
        form = form_status.form
        if form.kind is FormKind.APP:
            continue
        key = (pid, code, form.code)
        states = set(known.states.get(key, ()))
        if form_status.done:
            states.discard(FormState.NOT_DONE)  # entered after all, since the visit was recorded
            states.add(FormState.COMPLETE)
            if (pid, code) in known.signed:
                states.add(FormState.SIGNED)
            if known.locked(key):
                states.add(FormState.LOCKED)
        elif FormState.NOT_DONE not in states:
            states.add(FormState.NOT_STARTED)
        shown = next(state for state in PRIORITY if state in states)
        cells.append(FormCell(form.code, known.labels[form.code], shown, frozenset(states), ""))
    if status.state in NOT_DUE and all(c.state is FormState.NOT_STARTED for c in cells):
        cells = []
    return VisitCell(status.visit, status.state, tuple(cells))


def with_links(user: object, rows: list[StatusRow]) -> list[StatusRow]:
    """The rows with the URL of each form this reader may open: resolved only for the rows
    shown (a page of 50), and once per visit and form (``form_links``)."""
    link = form_links(user)
    linked = []
    for row in rows:
        study_id = row.journey.participant.study_id
        cells = tuple(
            replace(
                cell,
                forms=tuple(
                    replace(form, url=link(study_id, cell.visit.code, form.code))
                    for form in cell.forms
                ),
            )
            for cell in row.cells
        )
        linked.append(replace(row, cells=cells))
    return linked


def _matches(row: StatusRow, filters: StatusFilter) -> bool:
    if filters.stage and row.journey.stage != filters.stage:
        return False
    if not filters.state:
        return True
    return any(filters.state in form.states for cell in row.cells for form in cell.forms)


def matching_participants(filters: StatusFilter) -> QuerySet[Participant]:
    """The participants the study ID filter leaves, in study ID order, with what their
    journeys read beside them."""
    people = Participant.objects.select_related("screening", "exit")
    if filters.query:
        people = people.filter(study_id__icontains=filters.query)
    return people.order_by("study_id")


def needs_every_row(filters: StatusFilter) -> bool:
    """A stage or state filter is decided from each participant's grid; without one, only the
    page shown needs its grid (a thousand participants cost the same as fifty)."""
    return bool(filters.stage or filters.state)


def record_status(
    user: object,
    filters: StatusFilter,
    today: dt.date,
    participants: QuerySet[Participant] | list[Participant] | None = None,
) -> list[StatusRow]:
    """Rows of the grid for this reader (of ``participants``, default every one the filters
    leave): forms they may not know of are already gone (the LSIQ for a therapist); the visit
    and form filters narrow the columns, the others the rows."""
    people = matching_participants(filters) if participants is None else participants
    rows = journeys(user, people, today)
    ids = [row.participant.pk for row in rows]
    known = _known(ids)
    grid_codes = {visit.code for visit in grid_visits()}
    result = []
    for journey in rows:
        cells = []
        for status in journey.visits:
            if status.visit.code not in grid_codes:
                continue
            if filters.visit and status.visit.code != filters.visit:
                continue
            cell = _cell(journey, status, known)
            if filters.form:
                cell = VisitCell(
                    cell.visit,
                    cell.visit_state,
                    tuple(f for f in cell.forms if f.code == filters.form),
                )
            cells.append(cell)
        row = StatusRow(journey, tuple(cells))
        if _matches(row, filters):
            result.append(row)
    return result
