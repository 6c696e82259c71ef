"""The randomisation queue's one-message path on PostgreSQL (``queue.record_and_wait``): the
request committed, the randomiser's lock waited for, the outcome read after the lock was
granted, all in one round trip, and a connection left usable when a statement of it fails.
Transactional: the message commits for real, and a second connection holds the lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import DataError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from randomization import batch, queue
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment, RandomisationRequest
from randomization.sequence import generate
from tests.journey import TODAY, enrolled, with_baseline
from tests.sql_messages import sent
from trial.audit.context import AuditContext
from trial.models import Participant
from trial.one_message import sends_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready(role_users: dict) -> tuple[Participant, object]:
    rows = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 4, "queue")
    import_list(to_csv(rows), "queue", Environment.TEST, role_users["statistician"])
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    return with_baseline(enrolled(coordinator), coordinator, 12, TODAY), therapist


def _outcome_read_is_prepared(message: str) -> None:
    """On PostgreSQL the outcome read, run by every caller, is planned once per session."""
    if sends_together():
        assert f"EXECUTE {queue._OUTCOME_PREPARED}(" in message


def _context(user: object) -> AuditContext:
    return AuditContext(user.pk, user.username, "Therapist", "web", "10.0.0.9", "Firefox", "")


def test_with_no_batch_running_the_request_is_recorded_and_found_pending_in_one_message(
    ready: tuple[Participant, object],
) -> None:
    person, therapist = ready
    with CaptureQueriesContext(connection) as queries:
        request_id, decided = queue.record_and_wait(
            person.pk, therapist.pk, Environment.TEST, TODAY, _context(therapist)
        )
    assert len(sent(queries)) == 1
    _outcome_read_is_prepared(sent(queries)[0])
    assert decided is None
    assert RandomisationRequest.objects.filter(pk=request_id, participant=person).exists()
    assert connection.connection.info.transaction_status == 0  # idle: nothing held


def _decided_while_waiting(person: Participant, wait: Callable[[], tuple[int, object]]) -> None:
    """A second connection takes the randomiser's lock, waits for ``person``'s request and
    decides it while ``wait`` (which records it, or finds it recorded) waits for the lock: the
    outcome is read after the wait, not with the snapshot the message started with."""
    holding = threading.Event()
    errors: list[BaseException] = []

    def leader() -> None:
        try:
            with transaction.atomic():
                queue.lead(wait=True)
                holding.set()
                # Each statement reads what is committed by then: wait for the request, which
                # is committed before its caller starts waiting for this lock.
                pending = RandomisationRequest.objects.filter(participant=person)
                for _attempt in range(3000):
                    if pending.exists():
                        break
                    time.sleep(0.01)
                batch.allocate_pending()  # decided here, while its caller waits
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=leader)
    thread.start()
    assert holding.wait(timeout=30)
    with CaptureQueriesContext(connection) as queries:
        request_id, decided = wait()
    thread.join(timeout=60)
    assert errors == []
    assert len(sent(queries)) == 1
    _outcome_read_is_prepared(sent(queries)[0])
    assert isinstance(decided, AllocationSlot) and decided.participant_id == person.pk
    assert queue.outcome(request_id) == decided


def test_a_request_decided_by_the_lock_holder_is_read_once_the_lock_is_let_go(
    ready: tuple[Participant, object],
) -> None:
    person, therapist = ready
    _decided_while_waiting(
        person,
        lambda: queue.record_and_wait(
            person.pk, therapist.pk, Environment.TEST, TODAY, _context(therapist)
        ),
    )


def test_a_caller_that_lost_the_lead_waits_and_reads_its_outcome_in_one_message(
    ready: tuple[Participant, object],
) -> None:
    person, therapist = ready
    request_id = queue.record(person.pk, therapist.pk, Environment.TEST, TODAY, _context(therapist))
    _decided_while_waiting(person, lambda: (request_id, queue.wait_then_outcome(request_id)))


def test_a_failed_statement_leaves_the_connection_usable_and_nothing_recorded(
    ready: tuple[Participant, object],
) -> None:
    person, therapist = ready
    before = RandomisationRequest.objects.count()
    too_long = "x" * 17  # the INSERT fails inside the message's explicit transaction
    with pytest.raises(DataError):
        queue.record_and_wait(person.pk, therapist.pk, too_long, TODAY, _context(therapist))
    assert connection.connection.info.transaction_status == 0  # not left in an aborted block
    assert RandomisationRequest.objects.count() == before  # and the next statement runs


def test_it_refuses_to_run_inside_a_transaction(ready: tuple[Participant, object]) -> None:
    """Its COMMIT would end the caller's transaction half-way."""
    person, therapist = ready
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a transaction"):
        queue.record_and_wait(person.pk, therapist.pk, Environment.TEST, TODAY, _context(therapist))
    assert not RandomisationRequest.objects.filter(participant=person).exists()


def test_the_lock_is_never_left_held(ready: tuple[Participant, object]) -> None:
    person, therapist = ready
    queue.record_and_wait(person.pk, therapist.pk, Environment.TEST, TODAY, _context(therapist))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [queue.RANDOMISER_LOCK_KEY])
            assert cursor.fetchone()[0] is True
            cursor.execute("SELECT pg_advisory_unlock(%s)", [queue.RANDOMISER_LOCK_KEY])
    finally:
        other.close()
