"""Calendar arithmetic for clinical dates (pure Python)."""

from __future__ import annotations

import calendar
import datetime as dt


def age_in_years(born: dt.date, on: dt.date) -> int:
    """Completed years of age on a date (a birthday counts from its own day)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day of month ``months`` later, clamped to the month end (31 Jan + 1 -> 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)
