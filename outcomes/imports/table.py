"""Reading a CSV export through a column-mapping profile, collecting every problem by row.

Pure Python (no Django): the caller gives the mapping (our field -> the file's header), which
fields are required, and gets rows keyed by our field names plus the columns it did not map.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int  # line number in the file (the header is line 1)
    message: str


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str], dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # line 1: header problems

    @property
    def ok(self) -> bool:
        return not self.errors


# C0 controls other than tab, line feed and carriage return, and DEL.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(ValueError):
    """The file cannot be read as text CSV at all."""


def decode(data: bytes) -> str:
    """The file as text (UTF-8, or Windows-1252 as older exports are), refused when it holds
    a NUL or another control character: that is a binary file (a spreadsheet, an image) or a
    damaged one, and the database could not store it anyway. The message names the place."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        bad = CONTROL.search(text)
        if bad is not None:
            line = text.count("\n", 0, bad.start()) + 1
            column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
            what = "a NUL character" if bad.group() == "\x00" else (
                f"a control character (U+{ord(bad.group()):04X})"
            )  # fmt: skip
            raise ImportFileError(
                f"Line {line}, column {column}: {what}; the file is not text CSV. Export it "
                "again as CSV (UTF-8)."
            )
        return text
    raise ImportFileError(
        "The file is not text (neither UTF-8 nor Windows-1252): export it as CSV (UTF-8)."
    )


def read_table(
    text: str, columns: Mapping[str, str], required: tuple[str, ...], delimiter: str = ","
) -> Table:
    """Rows of ``text``; a required column missing from the header is an error on line 1, a
    required cell left empty an error on its line. Unmapped columns are kept as extras."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    table = Table()
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        table.errors.append(RowError(1, "The file is empty."))
        return table
    position = {name: i for i, name in enumerate(header)}
    missing = [f"{columns.get(f, f)!r}" for f in required if columns.get(f) not in position]
    if missing:
        table.errors.append(
            RowError(1, f"Column(s) missing from the header: {', '.join(missing)}.")
        )
        return table
    mapped = {header_name for header_name in columns.values()}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            table.errors.append(
                RowError(line, f"{len(cells)} cells where the header has {len(header)}.")
            )
            continue
        values = {f: cells[position[h]].strip() for f, h in columns.items() if h in position}
        extras = {h: cells[i].strip() for i, h in enumerate(header) if h not in mapped}
        empty = [columns[f] for f in required if not values.get(f)]
        if empty:
            table.errors.append(RowError(line, f"Empty required cell(s): {', '.join(empty)}."))
            continue
        table.rows.append((line, values, extras))
    if not table.rows and not table.errors:
        table.errors.append(RowError(1, "The file has a header but no data row."))
    return table


def number(value: str, name: str, low: float | None = None, high: float | None = None) -> float:
    """A measurement read from a cell (a decimal comma accepted). ``float`` also reads "NaN",
    "inf" and overflowing exponents; NaN passes every range check, so those are refused here."""
    try:
        result = float(value.replace(",", ".", 1) if "." not in value else value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a number.") from None
    if not math.isfinite(result):
        raise ValueError(f"{name} {value!r} is not a finite number.")
    if (low is not None and result < low) or (high is not None and result > high):
        raise ValueError(f"{name} {result:g} is outside {low:g}-{high:g}.")
    return result


def when(value: str, fmt: str, name: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, fmt)
    except ValueError:
        raise ValueError(f"{name} {value!r} does not match the format {fmt}.") from None


def convert_rows(
    table: Table, convert: Callable[[dict[str, str], dict[str, str]], T]
) -> tuple[list[tuple[int, T]], list[RowError]]:
    """Apply ``convert`` to each row; a ``ValueError`` becomes that row's error."""
    out, errors = [], list(table.errors)
    for line, values, extras in table.rows:
        try:
            out.append((line, convert(values, extras)))
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
    return out, errors
