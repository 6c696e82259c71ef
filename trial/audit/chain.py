"""The hash chain over audit rows (pure Python, no Django).

Each row's hash is SHA-256 over the previous row's hash and a canonical JSON encoding of the row's
content. Changing, removing or reordering any row breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64

# The fields that are hashed, in a fixed order. Adding a field is a new chain version.
HASHED_FIELDS = (
    "event_id",
    "occurred_at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "subject",
    "field",
    "old_value",
    "new_value",
    "reason",
    "channel",
    "ip",
    "user_agent",
    "app_version",
)


def row_digest(prev_hash: str, content: Mapping[str, object]) -> str:
    return values_digest(prev_hash, [content.get(name) for name in HASHED_FIELDS])


def values_digest(prev_hash: str, values: Sequence[object]) -> str:
    """``row_digest`` of a row given as its hashed fields' values, in ``HASHED_FIELDS`` order."""
    payload = json.dumps(
        [prev_hash, *[_canonical(value) for value in values]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class ChainTail:
    """The chain's head, advanced row by row by whoever holds the chain's lock (the sequencer,
    or a writer sealing its own rows: ``trial.audit.tail``)."""

    seq: int
    hash: str

    def seal(self, content: Sequence[object]) -> tuple[int, str, str]:
        """The next chain position for a row whose hashed fields (``HASHED_FIELDS`` order,
        stored forms) are ``content``: its seq, prev_hash and hash."""
        if len(content) != len(HASHED_FIELDS):
            raise ValueError(f"{len(content)} values for {len(HASHED_FIELDS)} hashed fields")
        prev = self.hash
        self.seq += 1
        self.hash = values_digest(prev, content)
        return self.seq, prev, self.hash


def _canonical(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


@dataclass(frozen=True)
class BrokenLink:
    row_id: int
    seq: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    broken: BrokenLink | None


def verify_chain(rows: Iterable[Mapping[str, object]]) -> ChainReport:
    """Walk rows in chain order (``seq``); stop at the first whose hashes do not verify."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for row in rows:
        checked += 1
        row_id, seq = int(row["id"]), int(row["seq"])  # type: ignore[call-overload]
        if seq != expected_seq:
            return ChainReport(checked, BrokenLink(row_id, seq, f"expected seq {expected_seq}"))
        if row["prev_hash"] != expected_prev:
            return ChainReport(
                checked, BrokenLink(row_id, seq, "prev_hash does not match the previous row's hash")
            )
        if row_digest(str(row["prev_hash"]), row) != row["hash"]:
            return ChainReport(
                checked, BrokenLink(row_id, seq, "row content does not match its hash")
            )
        expected_prev = str(row["hash"])
        expected_seq += 1
    return ChainReport(checked, None)


CHAINED_COLUMNS = ("seq", *HASHED_FIELDS, "prev_hash", "hash")
