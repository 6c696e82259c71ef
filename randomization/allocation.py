"""Taking a slot: the few statements a randomisation needs once its checks have passed.

Twenty therapists may press "randomise" in the same second, and every audited write used to pay
for a re-read before and after each save, savepoints and a second lock check (34 statements a
call). Here the slot is taken and the participant marked with explicit SQL inside the caller's
transaction: the slot row is locked with ``FOR UPDATE SKIP LOCKED`` and read (its values before),
updated with ``RETURNING`` (its values after, as stored), and the trail rows are built from those
two through the models' own rules (``_audit_changes``: the arm sealed, identifiers encrypted)
and inserted in one statement. The trail therefore reads exactly as an ``AuditedModel.save``
would have written it; ``tests/test_randomise_allocation.py`` compares the two.

Neither row belongs to a form or a visit (``lock_scope()`` is None), so no record lock applies and
no signature can be voided by these writes; the database lock is checked by the caller.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.db import connection
from django.utils import timezone

from randomization.models import AllocationSlot
from trial.audit.recorder import record_events
from trial.models import Participant
from trial.models.audit import AuditAction

_SLOT_FIELDS = list(AllocationSlot._meta.concrete_fields)
_SLOT = AllocationSlot._meta.db_table
_LIST = AllocationSlot._meta.get_field("allocation_list").related_model._meta.db_table
_PERSON = Participant._meta.db_table
_PARTICIPANT_FIELDS = ("randomized_on", "randomization_stratum")

# Table and column names come from the models' metadata; every value is a query parameter.
_COLUMNS = ", ".join(f"s.{f.column}" for f in _SLOT_FIELDS)
_NEXT_SLOT = (
    f"SELECT {_COLUMNS}, l.locked_at IS NOT NULL "  # noqa: S608
    f"FROM {_SLOT} s JOIN {_LIST} l ON l.id = s.allocation_list_id "
    "WHERE l.environment = %s AND s.stratum = %s AND s.participant_id IS NULL "
    "ORDER BY s.allocation_list_id, s.position LIMIT 1"
)
# SQLite has no row locks: its IMMEDIATE transaction already serialises the writers.
_LOCK_SKIPPING_HELD = " FOR UPDATE OF s SKIP LOCKED"
_ASSIGN = (
    f"UPDATE {_SLOT} SET participant_id = %s, assigned_at = %s, assigned_by_id = %s "  # noqa: S608
    "WHERE id = %s RETURNING " + ", ".join(f.column for f in _SLOT_FIELDS)
)
_MARK = (
    f"UPDATE {_PERSON} SET randomized_on = %s, randomization_stratum = %s "  # noqa: S608
    "WHERE id = %s RETURNING randomized_on, randomization_stratum"
)


@cache
def _converters(model: type, name: str) -> tuple[object, list]:
    """The column and its converters (the backend's, then the field's), as the ORM applies
    them: SQLite returns dates as text, the arm is decrypted."""
    column = model._meta.get_field(name).get_col(model._meta.db_table)
    return column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)


def _converted(model: type, names: list[str], row: tuple) -> list[object]:
    """Raw column values as the ORM would give them."""
    values = []
    for name, value in zip(names, row, strict=True):
        column, converters = _converters(model, name)
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    return values


def _slot(row: tuple) -> AllocationSlot:
    names = [f.attname for f in _SLOT_FIELDS]
    return AllocationSlot.from_db("default", names, _converted(AllocationSlot, names, row))


def _audited_values(instance: AllocationSlot | Participant) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._audit_fields()}


def next_free_slot(environment: str, stratum: str) -> tuple[AllocationSlot, bool] | None:
    """The stratum's next unused slot in list order, locked for this transaction (slots other
    callers hold are skipped, never waited for), and whether its list is locked already."""
    with connection.cursor() as cursor:
        lock = _LOCK_SKIPPING_HELD if connection.vendor == "postgresql" else ""
        cursor.execute(_NEXT_SLOT + lock, [environment, stratum])
        row = cursor.fetchone()
    return None if row is None else (_slot(row[:-1]), bool(row[-1]))


def assign(
    slot: AllocationSlot, participant: Participant, stratum: str, user: object, on: dt.date
) -> AllocationSlot:
    """Give ``slot`` to ``participant`` (locked by the caller) and mark them randomised on ``on``
    in ``stratum``; the trail gets each field change and the RANDOMISE event in one insert."""
    slot_before = _audited_values(slot)
    person_before = _audited_values(participant)
    with connection.cursor() as cursor:
        assigned_by = user.pk  # type: ignore[attr-defined]
        cursor.execute(_ASSIGN, [participant.pk, timezone.now(), assigned_by, slot.pk])
        taken = _slot(cursor.fetchone())
        cursor.execute(_MARK, [on, stratum, participant.pk])
        values = _converted(Participant, list(_PARTICIPANT_FIELDS), cursor.fetchone())
        marked = dict(zip(_PARTICIPANT_FIELDS, values, strict=True))
    for name, value in marked.items():
        setattr(participant, name, value)
    person_after = {**person_before, **marked}
    taken.participant = participant  # the slot's trail subject, without fetching it again
    record_events(
        [
            taken.audit_event(AuditAction.UPDATE, slot_before, _audited_values(taken)),
            participant.audit_event(AuditAction.UPDATE, person_before, person_after),
            # The event itself, findable by action; it names the participant, never the arm.
            participant.audit_event(AuditAction.RANDOMISE, None, None),
        ]
    )
    return taken
