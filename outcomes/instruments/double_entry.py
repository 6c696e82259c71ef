"""Double entry of the primary outcome: a second person re-enters the paper form blind to the
first entry; agreement verifies it, each disagreement becomes a data query for the first
enterer, and the data manager's closing of those queries settles the status."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from outcomes.exceptions import EntryRefused
from outcomes.instruments import definition
from outcomes.models import InstrumentResponse, Verification
from trial.audit.lock import database_locked
from trial.models.queries import DataQuery, QueryOrigin, QueryStatus


def refuse_if_locked() -> None:
    """Once the database is locked for analysis, outcome data no longer change."""
    if database_locked():
        raise EntryRefused(
            "The database is locked for analysis: outcome data can no longer change."
        )


def _agrees(response: InstrumentResponse) -> bool:
    return definition(response.instrument).validate(response.responses) == response.second_entry


@transaction.atomic
def enter_second(
    response: InstrumentResponse, responses: Mapping[str, object], user: object
) -> list[DataQuery]:
    """Record the second entry; returns the discrepancy queries raised (empty when verified)."""
    refuse_if_locked()
    response = InstrumentResponse.objects.select_for_update().get(pk=response.pk)
    if response.verification != Verification.PENDING:
        raise EntryRefused(
            f"{response.instrument.upper()} at {response.visit_code} is "
            f"{response.get_verification_display().lower()}: no second entry is awaited."
        )
    if response.entered_by_id == getattr(user, "pk", None):
        raise EntryRefused("The second entry must be made by someone other than the first enterer.")
    second = definition(response.instrument).validate(responses)
    first = definition(response.instrument).validate(response.responses)
    differing = [key for key in second if first[key] != second[key]]
    response.second_entry = dict(second)
    response.second_entered_by = user
    response.second_entered_at = timezone.now()
    response.verification = Verification.DISCREPANT if differing else Verification.VERIFIED
    response.save(reason="second entry (double data entry)")
    queries = []
    for key in differing:
        query = DataQuery(
            participant=response.participant,
            visit_code=response.visit_code,
            form_code=response.instrument,
            field_name=key,
            question=(
                f"Double entry differs: first entry {first[key]!r}, second entry {second[key]!r}. "
                "Check the paper form; correct the first entry if it is wrong, then answer."
            ),
            origin=QueryOrigin.DOUBLE_ENTRY,
            raised_by=user,
            assigned_to=response.entered_by,
        )
        query.save(reason="double-entry discrepancy")
        queries.append(query)
    return queries


def after_correction(response: InstrumentResponse) -> None:
    """A correction of the first entry (not yet saved): re-compare with the second entry."""
    if response.second_entry is None:
        return
    if _agrees(response):
        response.verification = Verification.VERIFIED
    elif response.verification == Verification.VERIFIED:
        # Verified data changed: the new values need their own second entry.
        response.verification = Verification.PENDING
        response.second_entry = None
        response.second_entered_by = None
        response.second_entered_at = None


def settle_after_queries(query: DataQuery) -> None:
    """Once every discrepancy query of a response is closed, the data manager has decided:
    verified if the entries now agree, adjudicated otherwise."""
    if query.origin != QueryOrigin.DOUBLE_ENTRY:
        return
    response = (
        InstrumentResponse.objects.select_for_update()
        .filter(
            participant_id=query.participant_id,
            visit_code=query.visit_code,
            instrument=query.form_code,
        )
        .first()
    )
    if response is None or response.verification != Verification.DISCREPANT:
        return
    still_open = (
        DataQuery.objects.filter(
            participant_id=query.participant_id,
            visit_code=query.visit_code,
            form_code=query.form_code,
            origin=QueryOrigin.DOUBLE_ENTRY,
        )
        .exclude(status=QueryStatus.CLOSED)
        .exists()
    )
    if still_open:
        return
    response.verification = Verification.VERIFIED if _agrees(response) else Verification.ADJUDICATED
    response.save(reason=f"double-entry queries closed ({response.get_verification_display()})")
