"""Validate an allocation list and store it, sealed (the arm encrypted at rest)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence

from django.db import transaction
from django.db.models import Max

from randomization.listfile import COLUMNS, sha256
from randomization.models import AllocationList, AllocationSlot
from randomization.sequence import ALGORITHM, AllocationRow
from trial.audit.context import audit_context
from trial.audit.recorder import record as record_event
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL


class InvalidAllocationList(ValueError):
    """The file is refused; the message names the first problem (never an arm of a row)."""


def parse(content: bytes) -> list[AllocationRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidAllocationList(
            "The file is not UTF-8 text: export the list as CSV UTF-8 (the generator writes one)."
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidAllocationList(f"Line {line}: a NUL character; this is not a CSV text file.")
    try:
        return _rows(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise InvalidAllocationList(f"Not a readable CSV file: {error}.") from None


def _rows(reader: Iterator[list[str]]) -> list[AllocationRow]:
    header = next(reader, None)
    if tuple(header or ()) != COLUMNS:
        raise InvalidAllocationList(f"Columns must be {', '.join(COLUMNS)}.")
    rows = []
    for line, record in enumerate(reader, start=2):
        if len(record) != len(COLUMNS):
            raise InvalidAllocationList(f"Line {line}: expected {len(COLUMNS)} values.")
        stratum, position, block, size, arm = record
        try:
            rows.append(AllocationRow(stratum, int(position), int(block), int(size), arm))
        except ValueError:
            raise InvalidAllocationList(
                f"Line {line}: position and block values must be whole numbers."
            ) from None
    return rows


def validate(
    rows: Sequence[AllocationRow], first_position: Mapping[str, int] | None = None
) -> None:
    """Refuse unknown arms or strata, gaps in positions (from ``first_position`` per stratum
    when extending a list) and unbalanced complete blocks."""
    arms = {arm.code for arm in PROTOCOL.arms}
    strata = {stratum.code for stratum in PROTOCOL.strata}
    if not rows:
        raise InvalidAllocationList("The list is empty.")
    by_stratum: dict[str, list[AllocationRow]] = defaultdict(list)
    for row in rows:
        if row.stratum not in strata:
            raise InvalidAllocationList(f"Unknown stratum {row.stratum!r}.")
        if row.arm not in arms:
            raise InvalidAllocationList(
                f"Stratum {row.stratum} position {row.position}: unknown arm."
            )
        by_stratum[row.stratum].append(row)
    for stratum, stratum_rows in by_stratum.items():
        start = (first_position or {}).get(stratum, 1)
        positions = sorted(r.position for r in stratum_rows)
        if positions != list(range(start, start + len(positions))):
            raise InvalidAllocationList(
                f"Stratum {stratum}: positions must run from {start} without gaps."
            )
        blocks: dict[int, list[AllocationRow]] = defaultdict(list)
        for row in stratum_rows:
            blocks[row.block_number].append(row)
        last = max(blocks)
        for number, block in blocks.items():
            if number == last and len(block) < block[0].block_size:
                continue  # a list may end part-way through its last block
            counts = Counter(r.arm for r in block)
            if (
                len(block) != block[0].block_size
                or len(set(counts.values())) != 1
                or len(counts) != len(arms)
            ):
                raise InvalidAllocationList(f"Stratum {stratum} block {number} is not balanced.")


@transaction.atomic
def import_list(content: bytes, name: str, environment: str, user: object) -> AllocationList:
    rows = parse(content)
    validate(rows)
    digest = sha256(content)
    if AllocationList.objects.filter(sha256=digest).exists():
        raise InvalidAllocationList("This file has already been imported.")
    allocation_list = AllocationList.objects.create(
        name=name, environment=environment, sha256=digest, algorithm=ALGORITHM, imported_by=user
    )
    _store(allocation_list, rows)
    record_event(
        AuditAction.IMPORT,
        object_type=allocation_list._meta.label,
        object_id=allocation_list.pk,
        reason=f"allocation list imported: {len(rows)} slots",
    )
    return allocation_list


@transaction.atomic
def extend_list(allocation_list: AllocationList, content: bytes, reason: str) -> int:
    """Append slots to a list (e.g. a stratum running out). Positions continue where each
    stratum ends; a list in use (locked) needs a reason, and the whole action is audited."""
    locked = AllocationList.objects.select_for_update().get(pk=allocation_list.pk)
    if locked.locked_at and not reason.strip():
        raise InvalidAllocationList("This list is in use: appending slots needs a reason.")
    rows = parse(content)
    ends = dict(
        locked.slots.values("stratum").annotate(end=Max("position")).values_list("stratum", "end")
    )
    validate(rows, {stratum: ends.get(stratum, 0) + 1 for stratum in {r.stratum for r in rows}})
    with audit_context(reason=reason.strip() or "allocation list extended before use"):
        _store(locked, rows)
    return len(rows)


def _store(allocation_list: AllocationList, rows: Sequence[AllocationRow]) -> None:
    AllocationSlot.objects.bulk_create(
        [
            AllocationSlot(
                allocation_list=allocation_list,
                stratum=row.stratum,
                position=row.position,
                block_number=row.block_number,
                block_size=row.block_size,
                arm=row.arm,
            )
            for row in rows
        ]
    )
