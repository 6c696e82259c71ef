"""Outcome forms on the core's participant timeline: questionnaires, device tests, actigraphy
and the weekly app ratings (when each is done, and where the reader opens it)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from outcomes.instruments import DEFINITIONS
from outcomes.instruments.policy import may_enter
from trial.compiled_query import CompiledQuery, Values
from trial.handlers import FormHandler, FormState, permitted_url
from trial.protocol import PROTOCOL

DEVICE_PAGES = {"medx": "outcomes:medx_entry", "actigraphy": "outcomes:actigraphy"}


# Compiled once per connection (``trial.compiled_query``): these run for every randomisation
# batch and every timeline page.
def _instruments_entered() -> QuerySet:
    from outcomes.models import InstrumentResponse

    return InstrumentResponse.objects.filter(participant_id__any_of=Values("ids")).values_list(
        "participant_id", "visit_code", "instrument"
    )


_INSTRUMENTS_ENTERED = CompiledQuery(_instruments_entered)


def _instruments_done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    yield from _INSTRUMENTS_ENTERED.rows(ids=participant_ids)


def _instrument_link(user: object, study_id: str, visit: str, form: str) -> str:
    if not may_enter(user, visit, form):
        return ""
    return permitted_url(user, "outcomes:instrument_entry", study_id, visit, form)


def _instrument_totals(visit: str, form: str) -> QuerySet:
    from outcomes.models import InstrumentResponse

    return InstrumentResponse.objects.filter(
        participant_id__any_of=Values("ids"), visit_code=visit, instrument=form
    ).values_list("participant_id", "total")


_INSTRUMENT_TOTALS = CompiledQuery(_instrument_totals)


def _instrument_scores(
    participant_ids: list[int], visit: str, form: str
) -> dict[int, float | None]:
    return dict(_INSTRUMENT_TOTALS.rows((visit, form), ids=participant_ids))


def _responses(visit: str, form: str) -> QuerySet:
    from outcomes.models import InstrumentResponse

    return InstrumentResponse.objects.filter(
        participant=OuterRef("pk"), visit_code=visit, instrument=form
    )


def _instrument_entered(visit: str, form: str) -> Exists:
    return Exists(_responses(visit, form))


def _instrument_total(visit: str, form: str) -> Subquery:
    return Subquery(_responses(visit, form).values("total")[:1])


def _instrument_contents(participant_ids: list[int]) -> dict[tuple[int, str, str], object]:
    from outcomes.models import InstrumentResponse

    rows = InstrumentResponse.objects.filter(participant_id__in=participant_ids).values(
        "participant_id",
        "visit_code",
        "instrument",
        "completed_on",
        "responses",
        "total",
        "subscores",
    )
    return {
        (row.pop("participant_id"), row.pop("visit_code"), row.pop("instrument")): row
        for row in rows
    }


def _instrument_states(participant_ids: list[int]) -> Iterator[tuple[int, str, str, FormState]]:
    """Awaiting the blind second entry; entered with unanswered items."""
    from outcomes.models import InstrumentResponse, Verification

    # Only the rows with such a state are read (a thousand participants hold 12,000 responses,
    # nearly all complete and verified).
    rows = (
        InstrumentResponse.objects.filter(participant_id__in=participant_ids)
        .filter(Q(verification=Verification.PENDING) | ~Q(missing_items=[]))
        .values_list("participant_id", "visit_code", "instrument", "verification", "missing_items")
    )
    for pid, visit, form, verification, missing in rows:
        if verification == Verification.PENDING:
            yield pid, visit, form, FormState.AWAITING_SECOND_ENTRY
        if missing:
            yield pid, visit, form, FormState.INCOMPLETE


def _tests_entered(form: str) -> QuerySet:
    from outcomes.models import DynamoTest, MedxTest

    model = {"medx": MedxTest, "dynamo": DynamoTest}[form]
    return (
        model.objects.filter(participant_id__any_of=Values("ids"))
        .values_list("participant_id", "visit_code")
        .order_by()  # the models' ordering would widen DISTINCT (and join participants)
        .distinct()
    )


_TESTS_ENTERED = CompiledQuery(_tests_entered)


def _test_entered(visit: str, form: str) -> Exists:
    from outcomes.models import DynamoTest, MedxTest

    model = {"medx": MedxTest, "dynamo": DynamoTest}[form]
    return Exists(model.objects.filter(participant=OuterRef("pk"), visit_code=visit))


def _tests_done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    for form in ("medx", "dynamo"):
        for pid, visit in _TESTS_ENTERED.rows((form,), ids=participant_ids):
            yield pid, visit, form


def _actigraphy_done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    from outcomes.models import ActigraphyRecording, ProcessingStatus

    for pid, visit in (
        ActigraphyRecording.objects.filter(
            participant_id__in=participant_ids, status=ProcessingStatus.DONE
        )
        .values_list("participant_id", "visit_code")
        .order_by()
    ):
        yield pid, visit, "actigraphy"


def _device_link(user: object, study_id: str, visit: str, form: str) -> str:
    if form not in DEVICE_PAGES or visit not in PROTOCOL.visits_with(form):
        return ""
    has = user.has_perm  # type: ignore[attr-defined]
    if form == "medx" and not (has("trial.enter_visit_data") or has("trial.enter_outcomes")):
        return ""
    return permitted_url(user, DEVICE_PAGES[form], study_id, visit)


def _app_done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    from outcomes.devices.selectors import pain_weeks_done

    for pid, weeks in pain_weeks_done(participant_ids).items():
        for week in weeks:
            yield pid, week, "mmp_pain"


def _no_page(user: object, study_id: str, visit: str, form: str) -> str:
    return ""  # app data arrives by import; there is no entry page per week


def form_handlers() -> tuple[FormHandler, ...]:
    return (
        FormHandler(
            tuple(DEFINITIONS),
            _instruments_done,
            _instrument_link,
            _instrument_scores,
            contents=_instrument_contents,
            states=_instrument_states,
            entered=_instrument_entered,
            total=_instrument_total,
        ),
        # Strength tests and actigraphy apart: randomisation asks for the tests alone.
        FormHandler(("medx", "dynamo"), _tests_done, _device_link, entered=_test_entered),
        FormHandler(("actigraphy",), _actigraphy_done, _device_link),
        FormHandler(("mmp_pain",), _app_done, _no_page),
    )


def work_items(role_code: str, user: object, by_participant: dict) -> list:
    """For the assessor: primary-outcome forms someone else entered, awaiting this assessor's
    blind second entry (only for participants on this reader's list)."""
    from django.urls import reverse

    from outcomes.models import InstrumentResponse, Verification
    from trial.selectors.worklists import ItemKind, WorkItem

    if role_code != "assessor":
        return []
    items = []
    pending = (
        InstrumentResponse.objects.filter(
            verification=Verification.PENDING, participant_id__in=list(by_participant)
        )
        .exclude(entered_by=user)
        .values_list("participant_id", "visit_code", "instrument")
    )
    for pid, visit_code, instrument in pending:
        journey = by_participant[pid]
        label = f"{PROTOCOL.visit(visit_code).label}: {instrument.upper()} second entry"
        url = reverse(
            "outcomes:instrument_second_entry",
            args=[journey.participant.study_id, visit_code, instrument],
        )
        items.append(WorkItem(journey, ItemKind.SECOND_ENTRY, label, None, url))
    return items


def lock_checks() -> list:
    """Primary-outcome forms still awaiting their blind second entry."""
    from outcomes.models import InstrumentResponse, Verification
    from trial.lock_checklist import ChecklistItem

    pending = InstrumentResponse.objects.filter(verification=Verification.PENDING).count()
    return [
        ChecklistItem(
            "awaiting_second_entry", str(_("Questionnaires awaiting their second entry")), pending
        )
    ]
