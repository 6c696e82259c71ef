"""The allocation-list CSV format shared by generation and import (pure Python)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable

from randomization.sequence import AllocationRow
from trial.csv_safety import SafeWriter

COLUMNS = ("stratum", "position", "block_number", "block_size", "arm")


def to_csv(rows: Iterable[AllocationRow]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = SafeWriter(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.stratum, row.position, row.block_number, row.block_size, row.arm])
    return buffer.getvalue().encode("utf-8")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
