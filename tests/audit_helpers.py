"""Helpers shared by the audit-chain tests: an audited write, and whether the sealed chain
verifies."""

from __future__ import annotations

import datetime as dt

from trial.audit.chain import CHAINED_COLUMNS, verify_chain
from trial.models import AuditEntry, ScreeningEntry


def screen(age: int) -> ScreeningEntry:
    """One audited create (a screening-log entry: six trail rows)."""
    return ScreeningEntry.objects.create(
        screened_on=dt.date(2026, 3, 2), source="clinic", age=age, language="en"
    )


def chain_intact() -> bool:
    rows = (
        AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values("id", *CHAINED_COLUMNS)
    )
    return verify_chain(rows).broken is None
