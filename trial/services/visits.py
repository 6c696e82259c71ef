"""Recording visits against the declared schedule; outside the window needs a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from trial.exceptions import DatesOutOfOrder, OutOfWindow, VisitIncomplete, VisitNotScheduled
from trial.models import Participant, VisitRecord
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.protocol.schema import Anchor, FormSpec, Visit
from trial.selectors.anchors import anchors_for


def missing_forms(participant: Participant, visit_code: str) -> list[FormSpec]:
    """The visit's forms due on the day that are not entered yet (read through the handlers
    the apps declare, so the core imports no app)."""
    from trial.handlers import forms_done

    entered = forms_done([participant.pk])[participant.pk]
    due = PROTOCOL.forms_due_at_visit(visit_code)
    return [form for form in due if (visit_code, form.code) not in entered]


def _explained(participant: Participant, visit: Visit, forms_not_done: Mapping[str, str]) -> dict:
    """Reasons for the forms still missing; refuses when one has none."""
    reasons = {code: why.strip() for code, why in forms_not_done.items() if why and why.strip()}
    missing = missing_forms(participant, visit.code)
    unexplained = [form.label for form in missing if form.code not in reasons]
    if unexplained:
        raise VisitIncomplete(
            f"Before marking the {visit.label} done, enter each of its forms or say why it was "
            f"not done: {'; '.join(unexplained)}."
        )
    return {form.code: reasons[form.code] for form in missing}


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
    forms_not_done: Mapping[str, str] | None = None,
) -> VisitRecord:
    """Record a visit as done on a date, or as missed (no date, a reason). Done needs each of
    the visit's forms due on the day entered or, in ``forms_not_done``, a reason it was not."""
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
        record.forms_not_done = {}
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
        record.forms_not_done = _explained(participant, visit, forms_not_done or {})
        record.outcome, record.done_on, record.missed_reason = VisitOutcome.DONE, done_on, ""
        record.out_of_window = not inside
        record.out_of_window_reason = "" if inside else out_of_window_reason.strip()
    record.save(reason=change_reason)
    return record
