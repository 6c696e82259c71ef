"""Set-based writes (``trial.set_sql``): one statement for many rows on PostgreSQL (a JSON
document read back as the table's row type), ``executemany`` on SQLite. Both must store exactly
what the ORM would, report how many rows they wrote, and leave guarded rows alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from randomization.models import RandomisationRequest
from tests.journey import TODAY, enrolled
from trial import set_sql
from trial.set_sql import insert_rows, update_rows

pytestmark = pytest.mark.django_db  # SQLite (make run) and PostgreSQL alike

NAMES = [
    "participant", "requested_by", "environment", "randomised_on", "context", "requested_at",
    "refusal",
]  # fmt: skip
CONTEXT = '{"why": "it\'s \\"quoted\\""}'


def _requests(role_users: dict, count: int) -> tuple[QuerySet, dt.datetime]:
    """``count`` requests inserted, as a query for them alone (other tests' fixtures may
    leave requests of their own), and the time they were requested at."""
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    people = [enrolled(coordinator) for _ in range(count)]
    # Microseconds and a quote in the text: nothing may be rounded or mangled on the way.
    at = timezone.now().replace(microsecond=123456)
    inserted = insert_rows(
        RandomisationRequest,
        NAMES,
        [
            (p.pk, therapist.pk, "test", TODAY, '{"why": "it\'s \\"quoted\\""}', at, "")
            for p in people
        ],
    )
    assert inserted == count
    return RandomisationRequest.objects.filter(participant__in=people).order_by("id"), at


def test_inserted_rows_read_back_as_the_orm_stores_them(role_users: dict) -> None:
    requests, at = _requests(role_users, 3)
    stored = list(requests)
    assert len({r.participant_id for r in stored}) == 3
    assert {r.requested_at for r in stored} == {at}
    assert {r.randomised_on for r in stored} == {TODAY}
    assert {r.context for r in stored} == {CONTEXT}
    assert {r.done_at for r in stored} == {None}  # not given: NULL


def test_a_long_insert_goes_in_bounded_statements_and_keeps_every_row(
    role_users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(set_sql, "INSERT_CHUNK", 2)
    requests, _at = _requests(role_users, 5)
    assert requests.count() == 5


def test_update_sets_each_row_its_own_values_and_skips_guarded_rows(role_users: dict) -> None:
    requests, _at = _requests(role_users, 3)
    first, second, third = requests
    earlier = timezone.now().replace(microsecond=1)
    RandomisationRequest.objects.filter(pk=third.pk).update(done_at=earlier, refusal="kept")
    later = earlier + dt.timedelta(seconds=5)

    written = update_rows(
        RandomisationRequest,
        "id",
        ["done_at", "refusal"],
        [(first.pk, later, "one"), (second.pk, later, "two"), (third.pk, later, "overwritten")],
        unless_set="done_at",
    )

    assert written == 2  # the third was already done: the guard keeps its values
    by_id = {r.pk: r for r in requests.all()}
    assert (by_id[first.pk].done_at, by_id[first.pk].refusal) == (later, "one")
    assert (by_id[second.pk].done_at, by_id[second.pk].refusal) == (later, "two")
    assert (by_id[third.pk].done_at, by_id[third.pk].refusal) == (earlier, "kept")


def test_a_foreign_key_is_set_through_its_field_name(role_users: dict) -> None:
    requests, _at = _requests(role_users, 1)
    (request,) = requests
    other = role_users["coordinator"]
    assert update_rows(RandomisationRequest, "id", ["requested_by"], [(request.pk, other.pk)]) == 1
    request.refresh_from_db()
    assert request.requested_by_id == other.pk


def test_bad_rows_are_refused_before_anything_is_written(role_users: dict) -> None:
    requests, _at = _requests(role_users, 1)
    (request,) = requests
    with pytest.raises(ValueError, match="2 values"):
        update_rows(RandomisationRequest, "id", ["refusal"], [(request.pk, "x", "extra")])
    assert update_rows(RandomisationRequest, "id", ["refusal"], []) == 0
    assert insert_rows(RandomisationRequest, NAMES, []) == 0
    request.refresh_from_db()
    assert request.refusal == ""
