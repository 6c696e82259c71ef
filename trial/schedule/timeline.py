"""Where each visit of a participant stands on a given day, from the protocol's ``Visit`` objects.

Pure: the caller supplies anchor dates, what was recorded and which forms exist, so worklists can
compute hundreds of timelines from a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from trial.protocol.schema import Anchor, FormKind, FormSpec, Protocol, Visit

CLOSING_DAYS = 7  # a window that ends within a week is "closing"


class VisitState(StrEnum):
    NOT_SCHEDULED = "not_scheduled"  # the anchor event has not happened
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSING = "closing"  # open, and the window ends within CLOSING_DAYS
    OVERDUE = "overdue"
    DONE = "done"
    DONE_OUT_OF_WINDOW = "done_out_of_window"
    MISSED = "missed"
    NOT_INVITED = "not_invited"  # optional visit the participant was not invited to
    ENDED = "ended"  # the participant left follow-up before this visit

    @property
    def needs_action(self) -> bool:
        return self in (VisitState.OPEN, VisitState.CLOSING, VisitState.OVERDUE)


@dataclass(frozen=True)
class Recorded:
    """What was recorded for a visit: done on a date, or missed (done_on None)."""

    done_on: dt.date | None
    missed: bool = False


@dataclass(frozen=True)
class FormStatus:
    form: FormSpec
    done: bool
    url: str = ""  # where this reader opens the form ("" when nowhere), filled by the read model


@dataclass(frozen=True)
class VisitStatus:
    visit: Visit
    state: VisitState
    target: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    done_on: dt.date | None
    forms: tuple[FormStatus, ...]
    url: str = ""  # where this reader records the visit ("" when they may not)

    @property
    def missing_forms(self) -> tuple[FormSpec, ...]:
        if self.state not in (VisitState.DONE, VisitState.DONE_OUT_OF_WINDOW):
            return ()
        return tuple(f.form for f in self.forms if not f.done)


def visit_state(
    visit: Visit,
    anchor_date: dt.date | None,
    recorded: Recorded | None,
    today: dt.date,
    invited: bool = True,
    follow_up_ended_on: dt.date | None = None,
) -> VisitState:
    if recorded is not None and recorded.missed:
        return VisitState.MISSED
    if recorded is not None and recorded.done_on is not None:
        if anchor_date is not None and not visit.in_window(anchor_date, recorded.done_on):
            return VisitState.DONE_OUT_OF_WINDOW
        return VisitState.DONE
    if visit.optional and not invited:
        return VisitState.NOT_INVITED
    if anchor_date is None:
        return VisitState.NOT_SCHEDULED
    start, end = visit.window_dates(anchor_date)
    if follow_up_ended_on is not None and follow_up_ended_on < end:
        return VisitState.ENDED
    if today < start:
        return VisitState.UPCOMING
    if today > end:
        return VisitState.OVERDUE
    if (end - today).days < CLOSING_DAYS:
        return VisitState.CLOSING
    return VisitState.OPEN


def _app_visit_complete(
    protocol: Protocol, visit: Visit, forms_done: Collection[tuple[str, str]]
) -> bool:
    return bool(visit.forms) and all(
        protocol.form(code).kind is FormKind.APP and (visit.code, code) in forms_done
        for code in visit.forms
    )


def timeline(
    protocol: Protocol,
    anchors: Mapping[Anchor, dt.date | None],
    recorded: Mapping[str, Recorded],
    forms_done: Collection[tuple[str, str]],
    today: dt.date,
    invited: Collection[str] = (),
    hidden_forms: Collection[str] = (),
    follow_up_ended_on: dt.date | None = None,
) -> list[VisitStatus]:
    """Every visit's status. ``forms_done`` holds (visit code, form code) pairs; forms in
    ``hidden_forms`` are left out entirely (a blinded reader must not learn they exist)."""
    statuses = []
    for visit in protocol.visits:
        anchor_date = anchors.get(visit.anchor)
        state = visit_state(
            visit,
            anchor_date,
            recorded.get(visit.code),
            today,
            invited=visit.code in invited,
            follow_up_ended_on=follow_up_ended_on,
        )
        window: Sequence[dt.date | None] = (
            visit.window_dates(anchor_date) if anchor_date else (None, None)
        )
        record = recorded.get(visit.code)
        if record is None and _app_visit_complete(protocol, visit, forms_done):
            # App data (weekly ratings) has no visit to record: its weeks are done once entered.
            state = VisitState.DONE
        statuses.append(
            VisitStatus(
                visit=visit,
                state=state,
                target=visit.target_date(anchor_date) if anchor_date else None,
                window_start=window[0],
                window_end=window[1],
                done_on=record.done_on if record else None,
                forms=tuple(
                    FormStatus(protocol.form(code), (visit.code, code) in forms_done)
                    for code in visit.forms
                    if code not in hidden_forms
                ),
            )
        )
    return statuses
