"""What each role has to do now, built from ``journeys`` (so the query count stays constant)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from trial.models import AdverseEvent, Participant
from trial.models.participant import ExitKind
from trial.models.queries import DataQuery, QueryStatus
from trial.protocol import PROTOCOL
from trial.protocol.schema import FormKind
from trial.schedule.timeline import VisitState
from trial.selectors.journeys import Journey, Stage, journeys, may_see_adherence

WEEK = dt.timedelta(days=7)


class ItemKind(StrEnum):
    VISIT_DUE = "visit_due"
    WINDOW_CLOSING = "window_closing"
    VISIT_OVERDUE = "visit_overdue"
    MISSING_FORM = "missing_form"
    DEVICE_AWAITED = "device_awaited"
    APP_AWAITED = "app_awaited"
    OPEN_QUERY = "open_query"
    SESSION_DUE = "session_due"
    RANDOMISE = "randomise"
    SECOND_ENTRY = "second_entry"
    SIGN_OFF = "sign_off"


@dataclass(frozen=True)
class WorkItem:
    journey: Journey
    kind: ItemKind
    what: str
    due: dt.date | None
    url: str = ""  # where to act on it, when that is not the participant page


def _followed_up() -> QuerySet[Participant]:
    """Everyone except those who withdrew or were lost (a discontinued person is still seen)."""
    return Participant.objects.exclude(
        exit__kind__in=[ExitKind.WITHDRAWN, ExitKind.LOST_TO_FOLLOW_UP]
    )


def _by_due(items: list[WorkItem], undated: dt.date = dt.date.max) -> list[WorkItem]:
    return sorted(items, key=lambda i: (i.due or undated, i.journey.participant.study_id))


def _app_only(visit_forms: tuple) -> bool:
    return bool(visit_forms) and all(f.form.kind is FormKind.APP for f in visit_forms)


def contributed_items(
    role_code: str, user: object, by_participant: dict[int, Journey]
) -> list[WorkItem]:
    """Work that feature apps add to a role's list (their ``AppConfig.work_items``), e.g. the
    primary outcome's blind second entry from ``outcomes``: the core never imports them."""
    items: list[WorkItem] = []
    for config in apps.get_app_configs():
        declare = getattr(config, "work_items", None)
        if declare:
            items += declare(role_code, user, by_participant)
    return items


def coordinator_items(user: object, today: dt.date) -> list[WorkItem]:
    """Visits due this week or overdue, windows closing, missing forms, device files and app
    data awaited, open data queries."""
    items: list[WorkItem] = []
    active = _followed_up()
    for journey in journeys(user, active, today):
        awaited_weeks = 0
        for status in journey.visits:
            if _app_only(status.forms):
                if status.state is VisitState.OVERDUE and not all(f.done for f in status.forms):
                    awaited_weeks += 1
                continue
            label = status.visit.label
            if status.state is VisitState.OVERDUE:
                items.append(WorkItem(journey, ItemKind.VISIT_OVERDUE, label, status.window_end))
            elif status.state is VisitState.CLOSING:
                items.append(WorkItem(journey, ItemKind.WINDOW_CLOSING, label, status.window_end))
            elif status.state is VisitState.OPEN or (
                status.state is VisitState.UPCOMING
                and status.window_start is not None
                and status.window_start <= today + WEEK
            ):
                items.append(WorkItem(journey, ItemKind.VISIT_DUE, label, status.window_end))
            for form in status.missing_forms:
                kind = (
                    ItemKind.DEVICE_AWAITED
                    if form.kind is FormKind.DEVICE
                    else ItemKind.MISSING_FORM
                )
                items.append(WorkItem(journey, kind, f"{label}: {form.label}", status.done_on))
        if awaited_weeks:
            items.append(
                WorkItem(
                    journey,
                    ItemKind.APP_AWAITED,
                    ngettext(
                        "Weekly pain ratings: %(n)d week",
                        "Weekly pain ratings: %(n)d weeks",
                        awaited_weeks,
                    )
                    % {"n": awaited_weeks},
                    None,
                )
            )
        if journey.open_queries:
            items.append(
                WorkItem(
                    journey,
                    ItemKind.OPEN_QUERY,
                    ngettext(
                        "%(n)d open data query", "%(n)d open data queries", journey.open_queries
                    )
                    % {"n": journey.open_queries},
                    None,
                )
            )
    return _by_due(items)


def therapist_items(user: object, today: dt.date) -> list[WorkItem]:
    """Sessions due today (or behind schedule) and participants ready for session 1."""
    items: list[WorkItem] = []
    candidates = Participant.objects.filter(exit__isnull=True)
    for journey in journeys(user, candidates, today):
        participant = journey.participant
        if journey.stage is Stage.BASELINE_DONE:
            planned = participant.session_1_planned_on
            if planned is None or planned <= today + WEEK:
                url = reverse("randomization:randomise", args=[participant.study_id])
                items.append(
                    WorkItem(journey, ItemKind.RANDOMISE, "Session 1: randomise", planned, url)
                )
            continue
        if journey.stage is not Stage.RANDOMISED or journey.sessions is None:
            continue
        number = journey.sessions.last_number + 1
        if number > PROTOCOL.sessions.total:
            continue
        planned = participant.randomized_on + dt.timedelta(
            days=PROTOCOL.sessions.planned_day(number)
        )
        if planned <= today:
            url = reverse("session_log", args=[participant.study_id, number])
            items.append(WorkItem(journey, ItemKind.SESSION_DUE, f"Session {number}", planned, url))
    return _by_due(items, undated=dt.date.min)


def assessor_items(user: object, today: dt.date) -> list[WorkItem]:
    """Outcome visits that are open, closing or overdue; data queries on forms this assessor
    entered; and what the apps add (the blind second entry of the primary outcome)."""
    items = []
    outcome_visits = set(PROTOCOL.outcome_visits())
    active = _followed_up()
    my_queries = Counter(
        DataQuery.objects.filter(assigned_to=user, status=QueryStatus.OPEN).values_list(
            "participant_id", flat=True
        )
    )
    rows = journeys(user, active, today)
    for journey in rows:
        for status in journey.visits:
            if status.visit.code in outcome_visits and status.state.needs_action:
                items.append(
                    WorkItem(journey, ItemKind.VISIT_DUE, status.visit.label, status.window_end)
                )
        if my_queries.get(journey.participant.pk):
            mine = my_queries[journey.participant.pk]
            what = ngettext("%(n)d data query to answer", "%(n)d data queries to answer", mine) % {
                "n": mine
            }
            items.append(
                WorkItem(journey, ItemKind.OPEN_QUERY, what, None, reverse("outcomes:query_list"))
            )
    items += contributed_items("assessor", user, {j.participant.pk: j for j in rows})
    return _by_due(items)


def pi_items(user: object, today: dt.date) -> list[WorkItem]:
    """Visits done and not signed off by the PI (a change to a signed visit voids its signature,
    so the visit comes back here)."""
    from trial.services.signatures import signed_visits

    signed = signed_visits()
    items = []
    for journey in journeys(user, Participant.objects.all(), today):
        for status in journey.visits:
            done = status.state in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW)
            if done and (journey.participant.pk, status.visit.code) not in signed:
                url = reverse("visit_sign_off", args=[journey.participant.study_id])
                what = _("Sign off: %(visit)s") % {"visit": status.visit.label}
                items.append(WorkItem(journey, ItemKind.SIGN_OFF, what, status.done_on, url))
    return _by_due(items)


@dataclass(frozen=True)
class WorkGroup:
    """One participant's items (a coordinator sees one row per person, not one per item)."""

    journey: Journey
    items: tuple[WorkItem, ...]

    @property
    def due(self) -> dt.date | None:
        return min((item.due for item in self.items if item.due), default=None)


@dataclass(frozen=True)
class Worklist:
    """A role's worklist as its home page shows it: the heading, the items, and whether the
    adherence column is there (decided here from the reader's permission, not in a template)."""

    heading: str
    items: list[WorkItem]
    show_adherence: bool

    @property
    def kinds(self) -> list[str]:
        """The kinds of item on the list, for the filter (in the order of ``ItemKind``)."""
        present = {item.kind for item in self.items}
        return [kind.value for kind in ItemKind if kind in present]

    def groups(self, kind: str = "", query: str = "") -> list[WorkGroup]:
        """Items grouped by participant (in the order of each one's most urgent item), keeping
        only those of ``kind`` and participants whose study ID contains ``query``."""
        grouped: dict[int, list[WorkItem]] = {}
        for item in self.items:
            if kind and item.kind != kind:
                continue
            if query and query.lower() not in item.journey.participant.study_id.lower():
                continue
            grouped.setdefault(item.journey.participant.pk, []).append(item)
        return [WorkGroup(items[0].journey, tuple(items)) for items in grouped.values()]


WORKLISTS = {
    "coordinator": (_("Due this week, overdue and missing"), coordinator_items),
    "therapist": (_("Today's sessions"), therapist_items),
    "assessor": (_("Outcome assessments due"), assessor_items),
    "pi": (_("Visits to sign off"), pi_items),
}


def worklist_for(role_code: str, user: object, today: dt.date) -> Worklist | None:
    """The worklist of a role that has one (None for the others)."""
    if role_code not in WORKLISTS:
        return None
    heading, build = WORKLISTS[role_code]
    return Worklist(str(heading), build(user, today), may_see_adherence(user))


def serious_events_to_review() -> list[AdverseEvent]:
    return list(
        AdverseEvent.objects.filter(serious=True, pi_reviewed_at__isnull=True)
        .select_related("participant")
        .order_by("onset_on")
    )
