"""Statements sent together (``trial.one_message``): each keeps its own result, later ones see
earlier writes, a write that misses its row count rolls everything back; and a randomisation
batch sends a number of messages that does not grow with its size."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from randomization import batch, queue
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment
from randomization.sequence import generate
from tests.journey import TODAY, enrolled, with_baseline
from tests.sql_messages import sent
from trial.audit.context import AuditContext
from trial.models import Participant
from trial.one_message import Statement, Write, run_together, write_then_read
from trial.set_sql import update_statement

pytestmark = pytest.mark.django_db


def _together() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def people(role_users: dict) -> list[Participant]:
    return [enrolled(role_users["coordinator"]) for _ in range(3)]


def _renamed(people: list[Participant], suffix: str) -> Statement:
    statement = update_statement(
        Participant, "id", ["consent_version"], [(p.pk, f"v{p.pk}{suffix}") for p in people]
    )
    assert statement is not None
    return statement


def test_each_statement_keeps_its_result_and_reads_see_the_writes_before_them(
    people: list[Participant],
) -> None:
    ids = [p.pk for p in people]
    read = Statement(
        "SELECT id, consent_version FROM trial_participant WHERE id IN (%s, %s, %s) ORDER BY id",
        ids,
    )
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        renamed, after = run_together([_renamed(people, "-new"), read])
    assert renamed.rowcount == 3
    assert after.rows == [(p.pk, f"v{p.pk}-new") for p in people]
    # One message on PostgreSQL; SQLite runs them in turn.
    assert len(queries) == (1 if _together() else 2)


def test_a_write_that_misses_its_rows_raises_and_nothing_it_sent_is_kept(
    people: list[Participant],
) -> None:
    before = {p.pk: p.consent_version for p in people}
    missed = pytest.raises(RuntimeError, match="renamed: 3 of 4 rows written; none kept")
    with missed, transaction.atomic():
        write_then_read([Write(_renamed(people, "-lost"), 4, "renamed")])
    after = dict(Participant.objects.values_list("pk", "consent_version"))
    assert {pk: after[pk] for pk in before} == before


def test_a_failing_statement_stops_the_message_and_the_transaction_rolls_back(
    people: list[Participant],
) -> None:
    broken = Statement("SELECT no_such_column FROM trial_participant", [])
    with pytest.raises(Exception, match="no_such_column"), transaction.atomic():
        run_together([_renamed(people, "-lost"), broken])
    assert not Participant.objects.filter(consent_version__endswith="-lost").exists()


@pytest.mark.parametrize("size", [1, 6])
def test_a_batch_sends_the_same_number_of_messages_whatever_its_size(
    role_users: dict, size: int
) -> None:
    """Pending requests and their participants (with readiness) in one message, the stratum's
    slots in one each, every write with the next round's reads in one: the round trips under
    the randomiser's lock do not grow with the number of callers waiting on it."""
    rows = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 12, "messages")
    import_list(to_csv(rows), "messages", Environment.TEST, role_users["statistician"])
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    ready = [with_baseline(enrolled(coordinator), coordinator, 12, TODAY) for _ in range(size)]
    context = AuditContext(therapist.pk, therapist.username, "Therapist", "web", None, "", "")
    for person in ready:
        queue.record(person.pk, therapist.pk, Environment.TEST, TODAY, context)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        outcomes = batch.allocate_pending()
    assert len(outcomes) == size
    assert all(isinstance(outcome, AllocationSlot) for outcome in outcomes.values())
    slot_reads = 1  # every participant here answers 12: one stratum
    if _together():
        assert len(sent(queries)) == 1 + slot_reads + 1
    else:  # SQLite: each statement on its own, still not one per request
        assert len(queries) <= 16
