"""Manage My Pain exports: pain severity 0-10 with its date and time; every other column is kept
as recorded. Weekly pain: the mean of the entries in each programme week (week 1 starts on the
day of session 1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

from outcomes.imports.table import Table, convert_rows, number, when

REQUIRED = ("code", "recorded_at", "severity")


@dataclass(frozen=True)
class PainRow:
    code: str
    recorded_at: dt.datetime  # local wall time
    severity: int
    details: dict[str, str] = field(default_factory=dict)

    def key(self) -> str:
        parts = (self.code, self.recorded_at.isoformat(), str(self.severity))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def parse(table: Table, datetime_format: str):
    def convert(values: dict[str, str], extras: dict[str, str]) -> PainRow:
        severity = number(values["severity"], "Pain severity", 0, 10)
        if severity != int(severity):
            raise ValueError(f"Pain severity {severity:g} is not a whole number 0-10.")
        return PainRow(
            code=values["code"],
            recorded_at=when(values["recorded_at"], datetime_format, "Date"),
            severity=int(severity),
            details={k: v for k, v in extras.items() if v},
        )

    return convert_rows(table, convert)


@dataclass(frozen=True)
class WeeklyPain:
    week: int
    starts_on: dt.date
    entries: int
    mean: float | None


def weekly_pain(
    session_1: dt.date, entries: list[tuple[dt.date, int]], weeks: int = 16
) -> list[WeeklyPain]:
    """Mean severity and number of entries in each programme week 1..``weeks``."""
    buckets: dict[int, list[int]] = {w: [] for w in range(1, weeks + 1)}
    for day, severity in entries:
        week = (day - session_1).days // 7 + 1
        if week in buckets:
            buckets[week].append(severity)
    return [
        WeeklyPain(
            week=w,
            starts_on=session_1 + dt.timedelta(days=7 * (w - 1)),
            entries=len(values),
            mean=round(math.fsum(values) / len(values), 2) if values else None,
        )
        for w, values in buckets.items()
    ]
