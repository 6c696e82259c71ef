"""Rows of the long, wide and codebook files from participant records (no Django import).

Long and wide are two layouts of the same cells: a long row (participant, visit, variable, value)
is the wide cell (participant, ``<visit>__<variable>``), formatted by the same function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Protocol

from outcomes.exports.variables import ARM, ExportOptions, Variable
from trial.csv_safety import RULE as CSV_RULE

AGE_TOP_CODE = 89  # Safe Harbor: ages over 89 are aggregated into one category
KEY = Variable("study_id", "Study ID (assigned by the trial, not derived from identifiers)",
               "identifier", "enrolment")  # fmt: skip
LONG_HEADER = ("study_id", "visit", "variable", "value")


class Record(Protocol):
    study_id: str
    randomised_on: dt.date | None
    arm: str
    values: dict[str, object]


def format_date(value: dt.date | None, anchor: dt.date | None, options: ExportOptions) -> str:
    """ISO date, or (de-identified) days from randomisation; blank without an anchor, since a
    calendar date would identify. Timestamps count by their date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not options.deidentified:
        return value.isoformat()
    return "" if anchor is None else str((value - anchor).days)


def format_value(variable: Variable, value: object, record: Record, options: ExportOptions) -> str:
    if value is None or value == "":
        return ""
    if variable.type == "date" and isinstance(value, dt.date):
        return format_date(value, record.randomised_on, options)
    if options.deidentified and variable.name == "age_years" and int(value) > AGE_TOP_CODE:
        return f"{AGE_TOP_CODE + 1}+"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float | Decimal):
        return repr(float(value))
    return str(value)


def _leading(options: ExportOptions) -> list[str]:
    return ["study_id", *(["arm"] if options.include_arm else [])]


def long_header(options: ExportOptions) -> list[str]:
    return [*_leading(options), "visit", "variable", "value"]


def long_rows(
    records: Iterable[Record], variables: Sequence[Variable], options: ExportOptions
) -> Iterator[list[str]]:
    for record in records:
        lead = [record.study_id, *([record.arm] if options.include_arm else [])]
        for variable in variables:
            if variable is ARM or variable.column not in record.values:
                continue
            value = format_value(variable, record.values[variable.column], record, options)
            yield [*lead, variable.visit, variable.name, value]


def wide_header(variables: Sequence[Variable], options: ExportOptions) -> list[str]:
    return [*_leading(options), *(v.column for v in variables if v is not ARM)]


def wide_rows(
    records: Iterable[Record], variables: Sequence[Variable], options: ExportOptions
) -> Iterator[list[str]]:
    for record in records:
        cells = [
            format_value(v, record.values.get(v.column), record, options)
            for v in variables
            if v is not ARM
        ]
        yield [record.study_id, *([record.arm] if options.include_arm else []), *cells]


CODEBOOK_HEADER = ["column", "visit", "variable", "label", "type", "allowed_values", "units",
                   "source", "instrument_version", "notes"]  # fmt: skip


def codebook_rows(variables: Sequence[Variable], options: ExportOptions) -> Iterator[list[str]]:
    for variable in [KEY, *variables]:
        kind, notes = variable.type, ("every CSV: " + CSV_RULE) if variable is KEY else ""
        if variable.type == "date" and options.deidentified:
            kind = "integer"
            notes = "study day: days from randomisation (0 = day of randomisation); blank when "
            notes += "not randomised"
        if variable.name == "age_years" and options.deidentified:
            notes = f"ages over {AGE_TOP_CODE} reported as {AGE_TOP_CODE + 1}+"
        if variable.visit:
            notes = f"{notes}; " if notes else ""
            notes += f"long file: visit={variable.visit}, variable={variable.name}"
        v = variable
        yield [v.column, v.visit, v.name, v.label, kind, v.allowed, v.unit, v.source, v.version,
               notes]  # fmt: skip
