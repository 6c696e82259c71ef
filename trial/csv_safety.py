"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection", CWE-1236).

A free-text value such as ``=HYPERLINK("http://…","x")`` typed into the EDC came out of the
exports as a live formula. Every CSV the system writes passes its cells through ``safe_cell``: a
text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'`` (shown, not evaluated); a number stays a number, so ``-3.5`` and ``+1`` are unchanged.
Pure Python, no Django.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RULE = (
    "a text cell beginning with =, +, -, @, a tab or a carriage return is written with a "
    "leading ' so that spreadsheets do not run it (OWASP CSV injection); numbers are unchanged"
)


def _is_number(text: str) -> bool:
    """A finite number as a spreadsheet reads it (Python's ``float`` also reads "-Infinity",
    "+nan" and "1e999", which a spreadsheet would take as a formula)."""
    try:
        value = float(text)
    except ValueError:
        return False
    return text.strip() == text and math.isfinite(value)


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _is_number(value):
        return value
    return "'" + value


class SafeWriter:
    """``csv.writer`` whose rows pass through ``safe_cell``."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])
