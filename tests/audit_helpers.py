"""Helpers shared by the audit-chain tests: an audited write, and whether the sealed chain
verifies."""

from __future__ import annotations

import datetime as dt

from django.db import connection

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


def tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back (the trigger disabled, as a DBA could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE trial_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE trial_auditentry ENABLE TRIGGER USER")
