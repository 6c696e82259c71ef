"""Queries compiled once per connection (``trial.compiled_query``) read exactly what the ORM
reads: the same rows, through the same converters (JSON, dates on SQLite, the sealed arm), for
lists of any length bound to one parameter."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment
from randomization.sequence import generate
from tests.journey import enrolled
from tests.sql_messages import prepared as prepared_sql
from tests.sql_messages import sent
from trial import compiled_query, prepared
from trial.compiled_query import CompiledQuery, Values
from trial.models import Participant

pytestmark = pytest.mark.django_db


def _slots(ids: object) -> QuerySet:
    return (
        AllocationSlot.objects.filter(pk__any_of=ids)
        .order_by("pk")
        .values_list("pk", "arm", "stratum", "allocation_list__imported_at")
    )


PEOPLE_COLUMNS = ("pk", "study_id", "consent_date", "screening__eligibility__failed_criteria")
SLOTS = CompiledQuery(lambda: _slots(Values("ids")))
PEOPLE = CompiledQuery(
    lambda: (
        Participant.objects.filter(pk__any_of=Values("ids"))
        .order_by("pk")
        .values_list(*PEOPLE_COLUMNS)
    )
)


@pytest.fixture
def slots(role_users: dict) -> list[int]:
    rows = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 4, "compiled")
    import_list(to_csv(rows), "compiled", Environment.TEST, role_users["statistician"])
    return list(AllocationSlot.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize("take", [0, 1, 3, None], ids=["none", "one", "three", "all"])
def test_rows_are_the_orms_own_for_lists_of_any_length(slots: list[int], take: int | None) -> None:
    """The arm comes back decrypted, the list's time as a datetime, as the ORM gives them."""
    ids = slots[:take]
    expected = [
        row
        for row in AllocationSlot.objects.order_by("pk").values_list(
            "pk", "arm", "stratum", "allocation_list__imported_at"
        )
        if row[0] in ids
    ]
    assert SLOTS.rows(ids=ids) == expected
    if ids:
        assert {row[1] for row in expected} <= {"MC_ILEX", "FREE_WEIGHT"}


def test_json_and_date_columns_are_converted(role_users: dict) -> None:
    people = [enrolled(role_users["coordinator"]) for _ in range(2)]
    ids = [p.pk for p in people]
    expected = list(
        Participant.objects.filter(pk__in=ids).order_by("pk").values_list(*PEOPLE_COLUMNS)
    )
    rows = PEOPLE.rows(ids=ids)
    assert rows == expected
    assert rows[0][2] == people[0].consent_date  # a date, not SQLite's text
    assert isinstance(rows[0][3], list)  # JSON decoded


def test_the_sql_is_compiled_once_per_connection_whatever_the_list(
    slots: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is one parameter: a second call with a longer list runs the same SQL text."""
    compiled = []
    real_compile = compiled_query._compile

    def counting(queryset: QuerySet) -> object:
        compiled.append(queryset)
        return real_compile(queryset)

    monkeypatch.setattr(compiled_query, "_compile", counting)
    vars(connections["default"]).pop("_compiled_queries", None)
    with CaptureQueriesContext(connection) as queries:
        assert len(SLOTS.rows(ids=slots[:1])) == 1
        assert len(SLOTS.rows(ids=slots)) == len(slots)
    assert len(sent(queries)) == 2
    assert len(compiled) == 1


def test_a_fixed_value_is_part_of_the_key(slots: list[int]) -> None:
    by_stratum = CompiledQuery(
        lambda stratum: AllocationSlot.objects.filter(
            pk__any_of=Values("ids"), stratum=stratum
        ).values_list("pk", flat=True)
    )
    high = {pk for (pk,) in by_stratum.rows(("LSIQ_HIGH",), ids=slots)}
    low = {pk for (pk,) in by_stratum.rows(("LSIQ_LOW",), ids=slots)}
    assert high and low and not high & low
    assert high | low == set(slots)


def test_any_of_takes_only_a_placeholder(slots: list[int]) -> None:
    with pytest.raises(TypeError, match="Values placeholder"):
        list(AllocationSlot.objects.filter(pk__any_of=slots))


def test_a_locking_read_compiles_inside_a_transaction(slots: list[int]) -> None:
    locked = CompiledQuery(
        lambda: (
            AllocationSlot.objects.select_for_update()
            .filter(pk__any_of=Values("ids"))
            .values_list("pk", flat=True)
        )
    )
    with transaction.atomic():
        assert sorted(row[0] for row in locked.rows(ids=slots[:2])) == slots[:2]


def test_placeholders_are_numbered_for_prepare() -> None:
    assert prepared.numbered("SELECT %s, '50%%' WHERE a = %s") == "SELECT $1, '50%' WHERE a = $2"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_query_is_planned_once_per_session(slots: list[int]) -> None:
    """Prepared on a session's first run, then only executed; prepared again on a new session
    (a reconnection); a rolled-back transaction does not undo it."""
    expected = list(
        AllocationSlot.objects.filter(pk__in=slots)
        .order_by("pk")
        .values_list("pk", "arm", "stratum", "allocation_list__imported_at")
    )
    connection.close()  # a new session: an earlier test may have prepared it on this one
    with CaptureQueriesContext(connection) as queries:
        assert SLOTS.rows(ids=slots) == expected
        assert SLOTS.rows(ids=slots[:2]) == expected[:2]
    assert len(prepared_sql(queries)) == 1 and "ANY($1)" in prepared_sql(queries)[0]
    assert all(sql.startswith("EXECUTE sb_query_") for sql in sent(queries))
    with pytest.raises(RuntimeError), transaction.atomic():
        assert SLOTS.rows(ids=slots) == expected
        raise RuntimeError("rolled back")
    assert SLOTS.rows(ids=slots) == expected  # still prepared on this session
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert SLOTS.rows(ids=slots[:1]) == expected[:1]
    assert len(prepared_sql(queries)) == 1  # a new session prepares it again
