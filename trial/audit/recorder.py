"""Appending rows to the audit trail: the only writer of ``AuditEntry``.

A row is inserted inside the writer's own transaction, without a chain position and without any
lock shared with other writers; ``trial.audit.sequencer`` seals it into the hash chain after
commit. A writer holding the chain's tail (``trial.audit.tail``) inserts its rows sealed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from trial.audit.chain import HASHED_FIELDS, ChainTail
from trial.audit.context import AuditContext, current_context
from trial.audit.sequencer import schedule_seal
from trial.audit.tail import stored_ip
from trial.models.audit import AuditEntry
from trial.one_message import Write, run_together
from trial.set_sql import insert_writes

SEALED = "<sealed>"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


# Prefix of an identifying value written to the trail encrypted (see AuditedModel).
ENCRYPTED_PREFIX = "fernet:"


def as_text(value: object) -> str | None:
    """A stable, human-readable text form of a stored value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float, decimal.Decimal, str, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class AuditEvent:
    """One action on one object, with its field changes (none for a plain event)."""

    action: str
    object_type: str = ""
    object_id: object = ""
    subject: str = ""
    changes: Sequence[FieldChange] = ()


def record(
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    subject: str = "",
    changes: Sequence[FieldChange] | None = None,
    reason: str | None = None,
    context: AuditContext | None = None,
) -> int:
    """Append one row per field change (or a single row for an event without fields)."""
    event = AuditEvent(action, object_type, object_id, subject, tuple(changes or ()))
    return record_events([event], reason=reason, context=context)


def record_events(
    events: Sequence[AuditEvent],
    *,
    reason: str | None = None,
    context: AuditContext | None = None,
) -> int:
    """Append many events in one INSERT (bulk imports), sealed into the chain after commit."""
    return record_events_by([(context or current_context(), events)], reason=reason)


def record_events_by(
    actors: Sequence[tuple[AuditContext, Sequence[AuditEvent]]], *, reason: str | None = None
) -> int:
    """``record_events`` for several actors at once, each event under its own actor's context
    (a batch of randomisations asked for by different therapists), still in one INSERT.
    Returns the number of rows appended."""
    statements = [write.statement for write in trail_writes(actors, reason)]
    return sum(result.rowcount for result in run_together(statements))


def trail_writes(
    actors: Sequence[tuple[AuditContext, Sequence[AuditEvent]]],
    reason: str | None = None,
    tail: ChainTail | None = None,
) -> list[Write]:
    """The inserts ``record_events_by`` runs, for a caller that sends them with its other
    statements (``trial.one_message``) in this transaction. With the chain's ``tail`` (held by
    this transaction: ``trial.audit.tail``) the rows are inserted sealed; without, the seal is
    left to the sequencer. Either way a seal is scheduled for the commit (it also anchors the
    head, and seals what other writers left while this one held the chain)."""
    now = timezone.now()
    version = settings.APP_VERSION
    rows = [
        (
            uuid.uuid4(),
            now,
            ctx.user_id,
            ctx.username,
            ctx.role,
            event.action,
            event.object_type,
            str(event.object_id),
            event.subject,
            change.field,
            change.old,
            change.new,
            ctx.reason if reason is None else reason,
            ctx.channel,
            stored_ip(ctx.ip),
            ctx.user_agent[:300],
            version,
        )
        for ctx, events in actors
        for event in events
        for change in event.changes or [FieldChange("", None, None)]
    ]
    if not rows:
        return []
    stamp = _prepared("occurred_at", now)
    prepared = [_prepared_row(row, stamp) for row in rows]
    if tail is None:
        writes = insert_writes(AuditEntry, _COLUMNS, prepared)
    else:
        sealed = [(*ready, *tail.seal(row)) for row, ready in zip(rows, prepared, strict=True)]
        writes = insert_writes(AuditEntry, _SEALED_COLUMNS, sealed)
    schedule_seal()
    return writes


# One set-based INSERT rather than ``bulk_create``: the ORM prepares every value of every row
# through its field (a randomisation batch spent more CPU there than the database spent
# inserting). Only the columns whose stored form depends on the database (a UUID, a time, an
# address) are prepared.
_COLUMNS = HASHED_FIELDS  # the content columns, in the order the chain hashes them


_SEALED_COLUMNS = (*_COLUMNS, "seq", "prev_hash", "hash")
_EVENT_ID, _OCCURRED_AT, _IP = (_COLUMNS.index(name) for name in ("event_id", "occurred_at", "ip"))


def _prepared_row(row: tuple, stamp: object) -> tuple:
    """The row as inserted: its UUID and address in the database's form, and its time as
    ``stamp`` (every row of a write shares one, prepared once)."""
    values = list(row)
    values[_EVENT_ID] = _prepared("event_id", row[_EVENT_ID])
    values[_OCCURRED_AT] = stamp
    values[_IP] = _prepared("ip", row[_IP])
    return tuple(values)


def _prepared(name: str, value: object) -> object:
    return AuditEntry._meta.get_field(name).get_db_prep_save(value, connection)
