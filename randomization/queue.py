"""The randomisation queue in plain SQL: recording a request, waiting for the randomiser, and
reading or writing an outcome (see ``randomization.models.requests``).

A caller whose request another caller decides runs only the three statements here; they are
written as SQL rather than through the ORM because, on two busy cores, building an ORM query
costs more CPU than the database spends running it. On PostgreSQL the three travel in one
message (``record_and_wait``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict

from django.db import connection
from django.utils import timezone
from psycopg.pq import TransactionStatus

from randomization.allocation import SLOT_COLUMNS, slot_from_row
from randomization.models import AllocationSlot, RandomisationRequest
from randomization.readiness import Refusal
from trial import prepared
from trial.advisory_locks import advisory_xact_lock
from trial.audit.context import AuditContext
from trial.one_message import Write, sends_together, write_then_read
from trial.set_sql import update_statement

# Arbitrary constant identifying the randomiser's advisory lock on PostgreSQL.
RANDOMISER_LOCK_KEY = 0x53425241  # "SBRA"

_REQUEST = RandomisationRequest._meta.db_table
_SLOT = AllocationSlot._meta.db_table
# Table and column names come from the models' metadata; every value is a query parameter.
_RECORD = (
    f"INSERT INTO {_REQUEST} (participant_id, requested_by_id, environment, "  # noqa: S608
    "randomised_on, context, requested_at, refusal) VALUES (%s, %s, %s, %s, %s, %s, '') "
    "RETURNING id"
)
_OUTCOME_OF = (
    "SELECT r.refusal, " + ", ".join(f"s.{column}" for column in SLOT_COLUMNS) +  # noqa: S608
    f" FROM {_REQUEST} r LEFT JOIN {_SLOT} s ON s.id = r.slot_id "
    "WHERE r.id = {request} AND r.done_at IS NOT NULL"
)  # fmt: skip
_OUTCOME = _OUTCOME_OF.format(request="%s")
_WAIT = "SELECT pg_advisory_xact_lock_shared(%s)"
# One simple-query message, three transactions' worth of work: the request committed by its own
# explicit transaction (the caller holding the lock must see it), then the shared lock and the
# outcome in the implicit transaction that ends with the message, so the lock is let go at once.
# Each statement reads its own snapshot: the outcome is read after the lock was granted.
# The request's commit does not wait for its WAL to reach the disk: the request only has to be
# visible to the deciding caller, whose own commit (synchronous) flushes the log up to its commit
# record, which lies after the request's. A crash before that loses a request no one decided,
# and its caller's connection with it: nothing was allocated.
# The outcome read is prepared once per session (``trial.prepared``): every caller runs it.
_OUTCOME_PREPARED = "sb_randomise_outcome"
_RECORD_AND_WAIT = (
    f"BEGIN; SET LOCAL synchronous_commit = off; {_RECORD}; COMMIT; {_WAIT}; "
    f"EXECUTE {_OUTCOME_PREPARED}(currval(pg_get_serial_sequence('{_REQUEST}', 'id')))"
)
# The shared lock, then the outcome, in one message (see above).
_WAIT_THEN_OUTCOME = f"{_WAIT}; EXECUTE {_OUTCOME_PREPARED}(%s)"

Outcome = AllocationSlot | Refusal


def record(
    participant_id: int, user_id: int, environment: str, on: dt.date, context: AuditContext
) -> int:
    """Record a request (committed at once outside a transaction, so that the caller holding
    the randomiser's lock sees it); returns its id."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORD, _request_values(participant_id, user_id, environment, on, context))
        return cursor.fetchone()[0]


def _request_values(
    participant_id: int, user_id: int, environment: str, on: dt.date, context: AuditContext
) -> list[object]:
    return [participant_id, user_id, environment, on, json.dumps(asdict(context)), timezone.now()]


def record_and_wait(
    participant_id: int, user_id: int, environment: str, on: dt.date, context: AuditContext
) -> tuple[int, Outcome | None]:
    """``record``, ``wait_for_randomiser`` and ``outcome`` in turn, outside a transaction: one
    round trip on PostgreSQL with the driver's client-side binding (Django's default), which
    lets one message carry several statements; three statements elsewhere."""
    if connection.in_atomic_block:
        raise RuntimeError("record_and_wait commits: it cannot run inside a transaction")
    with connection.cursor() as cursor:
        if not sends_together():
            request_id = record(participant_id, user_id, environment, on, context)
            wait_for_randomiser()
            return request_id, outcome(request_id)
        prepared.ready(_OUTCOME_PREPARED, _OUTCOME)
        try:
            values = _request_values(participant_id, user_id, environment, on, context)
            cursor.execute(_RECORD_AND_WAIT, [*values, RANDOMISER_LOCK_KEY])
        except Exception:
            # A statement failed inside the explicit transaction, which stays open (aborted):
            # end it, or the connection refuses everything after.
            if connection.connection.info.transaction_status == TransactionStatus.INERROR:
                connection.connection.rollback()
            raise
        (request_id,), _locked, decided = _first_rows(cursor)
    return request_id, _outcome_from(request_id, decided)


def _first_rows(cursor: object) -> list[tuple | None]:
    """The first row of each statement of a message that returns rows (BEGIN, SET and COMMIT
    return none)."""
    rows = []
    while True:
        if cursor.description is not None:  # type: ignore[attr-defined]
            rows.append(cursor.fetchone())  # type: ignore[attr-defined]
        if not cursor.nextset():  # type: ignore[attr-defined]
            return rows


def wait_then_outcome(request_id: int) -> Outcome | None:
    """``wait_for_randomiser``, then ``outcome``: one round trip on PostgreSQL (as in
    ``record_and_wait``)."""
    with connection.cursor() as cursor:
        if not sends_together():
            wait_for_randomiser()
            return outcome(request_id)
        prepared.ready(_OUTCOME_PREPARED, _OUTCOME)
        cursor.execute(_WAIT_THEN_OUTCOME, [RANDOMISER_LOCK_KEY, request_id])
        _locked, decided = _first_rows(cursor)
    return _outcome_from(request_id, decided)


def outcome(request_id: int) -> Outcome | None:
    """The slot given or the refusal decided; None while the request is pending."""
    with connection.cursor() as cursor:
        cursor.execute(_OUTCOME, [request_id])
        return _outcome_from(request_id, cursor.fetchone())


def _outcome_from(request_id: int, row: tuple | None) -> Outcome | None:
    if row is None:
        return None
    refusal, *slot = row
    if refusal:
        return Refusal.from_json(json.loads(refusal))
    if slot[0] is None:  # never written so; refuse to answer rather than return no slot
        raise RuntimeError(f"randomisation request {request_id} was decided with no outcome")
    return slot_from_row(tuple(slot))


def finish_write(decided: Sequence[tuple[int, Outcome]], at: dt.datetime) -> Write:
    """The one statement writing each request's outcome (the requests are the batch's own, read
    under the lock: it must write every one)."""
    rows = [
        (
            request_id,
            at,
            result.pk if isinstance(result, AllocationSlot) else None,
            json.dumps(result.as_json()) if isinstance(result, Refusal) else "",
        )
        for request_id, result in decided
    ]
    statement = update_statement(RandomisationRequest, "id", ["done_at", "slot", "refusal"], rows)
    if statement is None:
        raise ValueError("no outcome to write")
    return Write(statement, len(rows), "randomise: outcomes")


def finish(decided: Sequence[tuple[int, Outcome]], at: dt.datetime) -> None:
    """Write each request's outcome, in one statement (see ``finish_write``)."""
    write_then_read([finish_write(decided, at)])


def lead(wait: bool) -> bool:
    """Take the randomiser's lock for this transaction: at once or not at all (False: another
    caller is deciding a batch), or with ``wait``, once the caller holding it is done."""
    return advisory_xact_lock(RANDOMISER_LOCK_KEY, wait)


def wait_for_randomiser() -> None:
    """Return once no batch is being decided, keeping no lock (outside a transaction only: the
    shared lock is taken and released by the one statement, and every caller waiting for the
    same batch is let go at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_WAIT, [RANDOMISER_LOCK_KEY])
