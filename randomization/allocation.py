"""Taking slots: the few statements a batch of randomisations needs once its checks have passed.

Twenty therapists may press "randomise" in the same second, and every audited write used to pay
for a re-read before and after each save, savepoints and a second lock check (34 statements a
call). Here the slots are taken and the participants marked with explicit SQL inside the
deciding caller's transaction: a stratum's next slots are locked with ``FOR UPDATE SKIP LOCKED``
and read (their values before), every slot and every participant of the batch is updated in one
set-based statement each, and the trail rows are built from the values before and after through
the models' own rules (``_audit_changes``: the arm sealed, identifiers encrypted), then recorded
with the whole batch's in one insert. The trail therefore reads exactly as an
``AuditedModel.save`` would have written it; ``tests/test_randomise_allocation.py`` compares the
two.

Neither row belongs to a form or a visit (``lock_scope()`` is None), so no record lock applies and
no signature can be voided by these writes; the database lock is checked by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.utils import timezone

from randomization.models import AllocationSlot
from trial.audit.recorder import AuditEvent
from trial.models import Participant
from trial.models.audit import AuditAction
from trial.one_message import Write
from trial.set_sql import update_statement

_SLOT_FIELDS = list(AllocationSlot._meta.concrete_fields)
_SLOT = AllocationSlot._meta.db_table
_LIST = AllocationSlot._meta.get_field("allocation_list").related_model._meta.db_table

# Table and column names come from the models' metadata; every value is a query parameter.
SLOT_COLUMNS = [f.column for f in _SLOT_FIELDS]
_COLUMNS = ", ".join(f"s.{column}" for column in SLOT_COLUMNS)
_NEXT_SLOTS = (
    f"SELECT {_COLUMNS}, l.locked_at IS NOT NULL "  # noqa: S608
    f"FROM {_SLOT} s JOIN {_LIST} l ON l.id = s.allocation_list_id "
    "WHERE l.environment = %s AND s.stratum = %s AND s.participant_id IS NULL "
    "ORDER BY s.allocation_list_id, s.position LIMIT %s"
)
# SQLite has no row locks: its IMMEDIATE transaction already serialises the writers.
_LOCK_SKIPPING_HELD = " FOR UPDATE OF s SKIP LOCKED"


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


def slot_from_row(row: tuple) -> AllocationSlot:
    """The slot from its columns in ``SLOT_COLUMNS`` order, as the ORM would load it."""
    names = [f.attname for f in _SLOT_FIELDS]
    return AllocationSlot.from_db("default", names, _converted(AllocationSlot, names, row))


def _audited_values(instance: AllocationSlot | Participant) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in instance._audit_fields()}


def next_free_slots(
    environment: str, stratum: str, count: int
) -> list[tuple[AllocationSlot, bool]]:
    """The stratum's next ``count`` unused slots in list order (fewer when the list runs out),
    locked for this transaction (slots other callers hold are skipped, never waited for), each
    with whether its list is locked already."""
    with connection.cursor() as cursor:
        lock = _LOCK_SKIPPING_HELD if connection.vendor == "postgresql" else ""
        cursor.execute(_NEXT_SLOTS + lock, [environment, stratum, count])
        rows = cursor.fetchall()
    return [(slot_from_row(row[:-1]), bool(row[-1])) for row in rows]


@dataclass(frozen=True)
class Allocation:
    """A free slot (locked) for a participant (locked, not randomised) in their stratum."""

    slot: AllocationSlot
    participant: Participant
    stratum: str
    user_id: int
    on: dt.date


def assign(
    allocations: Sequence[Allocation],
) -> tuple[list[tuple[AllocationSlot, list[AuditEvent]]], list[Write]]:
    """Give each slot to its participant and mark them randomised on ``on`` in ``stratum``.
    Returns each slot as it will be stored with the trail's events (each field change and the
    RANDOMISE event), and the two set-based writes that store them, for the caller to send with
    its batch's other statements (``trial.one_message``), in this transaction. Each write must
    touch every allocation's row: both rows are locked by this transaction, so only a bug
    elsewhere makes one miss, and the whole batch is then rolled back rather than record an
    allocation that was not made."""
    now = timezone.now()
    befores = [(_audited_values(a.slot), _audited_values(a.participant)) for a in allocations]
    take_slots = update_statement(
        AllocationSlot,
        "id",
        ["participant", "assigned_at", "assigned_by"],
        [(a.slot.pk, a.participant.pk, now, a.user_id) for a in allocations],
        unless_set="participant",
    )
    mark_people = update_statement(
        Participant,
        "id",
        ["randomized_on", "randomization_stratum"],
        [(a.participant.pk, a.on, a.stratum) for a in allocations],
        unless_set="randomized_on",
    )
    writes = [
        Write(statement, len(allocations), what)
        for statement, what in ((take_slots, "slots taken"), (mark_people, "participants marked"))
        if statement is not None
    ]
    taken = []
    for a, (slot_before, person_before) in zip(allocations, befores, strict=True):
        slot, person = a.slot, a.participant
        slot.participant_id, slot.assigned_at, slot.assigned_by_id = person.pk, now, a.user_id
        person.randomized_on, person.randomization_stratum = a.on, a.stratum
        slot.participant = person  # the slot's trail subject, without fetching it again
        taken.append(
            (
                slot,
                [
                    slot.audit_event(AuditAction.UPDATE, slot_before, _audited_values(slot)),
                    person.audit_event(AuditAction.UPDATE, person_before, _audited_values(person)),
                    # The event itself, findable by action; it names the participant, never
                    # the arm.
                    person.audit_event(AuditAction.RANDOMISE, None, None),
                ],
            )
        )
    return taken, writes
