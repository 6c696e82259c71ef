"""Appending rows to the audit trail: the only writer of ``AuditEntry``.

Appends are serialised (a PostgreSQL advisory lock; SQLite's IMMEDIATE transactions) so that each
row's ``prev_hash`` is the hash of the row before it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from trial.audit.anchor import anchor_soon
from trial.audit.chain import GENESIS, row_digest
from trial.audit.context import AuditContext, current_context
from trial.models.audit import AuditEntry

# Arbitrary constant identifying the audit chain's advisory lock on PostgreSQL.
_CHAIN_LOCK_KEY = 0x53424144  # "SBAD"
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


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


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
) -> list[AuditEntry]:
    """Append one row per field change (or a single row for an event without fields)."""
    event = AuditEvent(action, object_type, object_id, subject, tuple(changes or ()))
    return record_events([event], reason=reason, context=context)


def record_events(
    events: Sequence[AuditEvent],
    *,
    reason: str | None = None,
    context: AuditContext | None = None,
) -> list[AuditEntry]:
    """Append many events under one chain lock and one INSERT (bulk imports)."""
    ctx = context or current_context()
    why = ctx.reason if reason is None else reason
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = last if last else (0, GENESIS)
        now = timezone.now()
        rows = []
        for event in events:
            for change in event.changes or [FieldChange("", None, None)]:
                seq += 1
                content = {
                    "event_id": uuid.uuid4(),
                    "occurred_at": now,
                    "user_id": ctx.user_id,
                    "username": ctx.username,
                    "role": ctx.role,
                    "action": event.action,
                    "object_type": event.object_type,
                    "object_id": str(event.object_id),
                    "subject": event.subject,
                    "field": change.field,
                    "old_value": change.old,
                    "new_value": change.new,
                    "reason": why,
                    "channel": ctx.channel,
                    "ip": ctx.ip,
                    "user_agent": ctx.user_agent[:300],
                    "app_version": settings.APP_VERSION,
                }
                digest = row_digest(prev, content)
                rows.append(AuditEntry(seq=seq, prev_hash=prev, hash=digest, **content))
                prev = digest
        created = AuditEntry.objects.bulk_create(rows, batch_size=500)
        transaction.on_commit(anchor_soon)
        return created
