"""Recording visits against the declared schedule; outside the window needs a reason."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from trial.exceptions import DatesOutOfOrder, OutOfWindow, VisitNotScheduled
from trial.models import Participant, VisitRecord
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Anchor
from trial.selectors.anchors import anchors_for


@transaction.atomic
def record_visit(
    participant: Participant,
    visit_code: str,
    user: object,
    *,
    done_on: dt.date | None = None,
    missed_reason: str = "",
    out_of_window_reason: str = "",
    change_reason: str = "",
) -> VisitRecord:
    """Record a visit as done on a date, or as missed (no date, a reason)."""
    visit = PROTOCOL.visit(visit_code)
    anchor_date = anchors_for(participant).get(visit.anchor)
    record = VisitRecord.objects.filter(participant=participant, visit_code=visit_code).first()
    record = record or VisitRecord(participant=participant, visit_code=visit_code, recorded_by=user)
    if done_on is None:
        if not missed_reason.strip():
            raise OutOfWindow("A missed visit needs a reason.")
        record.outcome, record.done_on, record.missed_reason = (
            VisitOutcome.MISSED,
            None,
            missed_reason,
        )
        record.out_of_window, record.out_of_window_reason = False, ""
    else:
        if visit.anchor is not Anchor.SCREENING and done_on < participant.consent_date:
            raise DatesOutOfOrder(
                f"{visit.label} on {done_on:%Y-%m-%d} would precede the consent "
                f"({participant.consent_date:%Y-%m-%d})."
            )
        if anchor_date is None:
            raise VisitNotScheduled(
                f"{visit.label} is counted from {visit.anchor.value.replace('_', ' ')}, "
                "which has not happened yet."
            )
        inside = visit.in_window(anchor_date, done_on)
        start, end = visit.window_dates(anchor_date)
        if not inside and not out_of_window_reason.strip():
            raise OutOfWindow(
                f"{done_on:%Y-%m-%d} is outside the {visit.label} window ({start:%Y-%m-%d} to "
                f"{end:%Y-%m-%d}); give the reason to save it."
            )
        record.outcome, record.done_on, record.missed_reason = VisitOutcome.DONE, done_on, ""
        record.out_of_window = not inside
        record.out_of_window_reason = "" if inside else out_of_window_reason.strip()
    record.save(reason=change_reason)
    return record
