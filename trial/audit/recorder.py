"""Appending rows to the audit trail: the only writer of ``AuditEntry``.

A row is inserted inside the writer's own transaction, without a chain position and without any
lock shared with other writers; ``trial.audit.sequencer`` seals it into the hash chain after
commit.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from trial.audit.context import AuditContext, current_context
from trial.audit.sequencer import schedule_seal
from trial.models.audit import AuditEntry

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
    """Append many events in one INSERT (bulk imports), sealed into the chain after commit."""
    ctx = context or current_context()
    why = ctx.reason if reason is None else reason
    now = timezone.now()
    rows = [
        AuditEntry(
            event_id=uuid.uuid4(),
            occurred_at=now,
            user_id=ctx.user_id,
            username=ctx.username,
            role=ctx.role,
            action=event.action,
            object_type=event.object_type,
            object_id=str(event.object_id),
            subject=event.subject,
            field=change.field,
            old_value=change.old,
            new_value=change.new,
            reason=why,
            channel=ctx.channel,
            ip=ctx.ip,
            user_agent=ctx.user_agent[:300],
            app_version=settings.APP_VERSION,
        )
        for event in events
        for change in event.changes or [FieldChange("", None, None)]
    ]
    created = AuditEntry.objects.bulk_create(rows, batch_size=500)
    schedule_seal()
    return created
