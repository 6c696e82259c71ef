"""The randomisation queue in plain SQL: recording a request, waiting for the randomiser, and
reading or writing an outcome (see ``randomization.models.requests``).

A caller whose request another caller decides runs only the three statements here; they are
written as SQL rather than through the ORM because, on two busy cores, building an ORM query
costs more CPU than the database spends running it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict

from django.db import connection
from django.utils import timezone

from randomization.allocation import SLOT_COLUMNS, slot_from_row
from randomization.models import AllocationSlot, RandomisationRequest
from randomization.readiness import Refusal
from trial.advisory_locks import advisory_xact_lock
from trial.audit.context import AuditContext
from trial.set_sql import update_rows

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
_OUTCOME = (
    "SELECT r.refusal, " + ", ".join(f"s.{column}" for column in SLOT_COLUMNS) +  # noqa: S608
    f" FROM {_REQUEST} r LEFT JOIN {_SLOT} s ON s.id = r.slot_id "
    "WHERE r.id = %s AND r.done_at IS NOT NULL"
)  # fmt: skip

Outcome = AllocationSlot | Refusal


def record(
    participant_id: int, user_id: int, environment: str, on: dt.date, context: AuditContext
) -> int:
    """Record a request (committed at once outside a transaction, so that the caller holding
    the randomiser's lock sees it); returns its id."""
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD,
            [participant_id, user_id, environment, on, json.dumps(asdict(context)), timezone.now()],
        )
        return cursor.fetchone()[0]


def outcome(request_id: int) -> Outcome | None:
    """The slot given or the refusal decided; None while the request is pending."""
    with connection.cursor() as cursor:
        cursor.execute(_OUTCOME, [request_id])
        row = cursor.fetchone()
    if row is None:
        return None
    refusal, *slot = row
    if refusal:
        return Refusal.from_json(json.loads(refusal))
    if slot[0] is None:  # never written so; refuse to answer rather than return no slot
        raise RuntimeError(f"randomisation request {request_id} was decided with no outcome")
    return slot_from_row(tuple(slot))


def finish(decided: Sequence[tuple[int, Outcome]], at: dt.datetime) -> None:
    """Write each request's outcome, in one statement."""
    rows = [
        (
            request_id,
            at,
            result.pk if isinstance(result, AllocationSlot) else None,
            json.dumps(result.as_json()) if isinstance(result, Refusal) else "",
        )
        for request_id, result in decided
    ]
    written = update_rows(RandomisationRequest, "id", ["done_at", "slot", "refusal"], rows)
    if written != len(rows):  # the requests are the batch's own, read under the lock
        raise RuntimeError(f"randomise: {written} of {len(rows)} outcomes written; none kept")


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
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [RANDOMISER_LOCK_KEY])
