"""The audit trail outside the application's reach: TRUNCATE refused, the application's role
limited to SELECT and INSERT, and the chain's head anchored in a signed file, so that a cut tail or
a chain recomputed with the published algorithm is reported by ``verify_audit``.

An outside attack found that none of these held: TRUNCATE went through, the compose set-up's
application role owned the tables, and a truncated or recomputed chain verified as intact."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from trial.audit.anchor import anchor_path, latest_anchor, write_anchor
from trial.audit.chain import GENESIS, HASHED_FIELDS, row_digest
from trial.audit.sequencer import seal_pending
from trial.models import AuditEntry, ScreeningEntry

pytestmark = pytest.mark.django_db
APP_ROLE = "strongback_app_test"


def _entries(n: int = 3) -> None:
    """Audited writes, then sealed into the chain as their commit would (tests run inside one
    transaction, so no commit hook fires)."""
    for k in range(n):
        ScreeningEntry.objects.create(
            screened_on=dt.date(2026, 3, 2), source="clinic", age=40 + k, language="en"
        )
    seal_pending()


def _as_dba(*statements: tuple[str, list]) -> None:
    """Run SQL with the user triggers off, as a database administrator could."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE trial_auditentry DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE trial_auditentry ENABLE TRIGGER USER")


def test_the_anchor_is_signed_and_tampering_with_it_is_reported() -> None:
    _entries()
    anchor = write_anchor()
    assert anchor is not None and anchor == latest_anchor()
    assert write_anchor() is None  # unchanged head: nothing appended
    call_command("verify_audit")
    line = json.loads(anchor_path().read_text().splitlines()[-1])
    line["seq"] -= 1
    anchor_path().write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="invalid signature"):
        call_command("verify_audit")


@pytest.mark.postgres
def test_deleting_the_last_three_rows_is_reported(client_for) -> None:
    _entries()
    write_anchor()
    monitor = client_for("monitor")
    page = monitor.get("/audit/").content.decode()
    assert "last anchored outside the database" in page and "does not match" not in page
    last = list(
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("id", flat=True)[:3]
    )
    _as_dba(("DELETE FROM trial_auditentry WHERE id = ANY(%s)", [last]))
    with pytest.raises(CommandError, match="rows were removed from its end"):
        call_command("verify_audit")
    page = monitor.get("/audit/").content.decode()
    assert "The trail does not match its external anchor" in page


@pytest.mark.postgres
def test_a_chain_recomputed_with_the_published_algorithm_is_reported() -> None:
    _entries()
    write_anchor()
    rows = list(AuditEntry.objects.order_by("seq").values("id", "seq", *HASHED_FIELDS))
    rows[1]["new_value"] = "99"  # the forger's change, then every hash recomputed
    prev, statements = GENESIS, []
    for row in rows:
        digest = row_digest(prev, row)
        statements.append((
            "UPDATE trial_auditentry SET new_value = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row["new_value"], prev, digest, row["id"]],
        ))  # fmt: skip
        prev = digest
    # hash is unique: move every row out of the way first
    _as_dba(("UPDATE trial_auditentry SET hash = 'x' || id", []), *statements)
    from trial.audit.chain import CHAINED_COLUMNS, verify_chain

    rows = AuditEntry.objects.order_by("seq").values("id", *CHAINED_COLUMNS)
    assert verify_chain(rows).broken is None  # the chain alone no longer shows the forgery
    with pytest.raises(CommandError, match="the chain was rewritten"):
        call_command("verify_audit")


@pytest.mark.postgres
def test_truncate_is_refused_for_any_role_but_the_owner() -> None:
    _entries(1)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {APP_ROLE}_t")
        cursor.execute(f"CREATE ROLE {APP_ROLE}_t NOLOGIN")
        # Even a role granted TRUNCATE outright is refused by the trigger.
        cursor.execute(f"GRANT ALL ON trial_auditentry TO {APP_ROLE}_t")
    with (
        pytest.raises(DatabaseError, match="TRUNCATE of trial_auditentry refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}_t")
        cursor.execute("TRUNCATE trial_auditentry")
    assert AuditEntry.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON trial_auditentry FROM {APP_ROLE}_t")
        cursor.execute(f"DROP ROLE {APP_ROLE}_t")


@pytest.mark.postgres
def test_the_application_role_may_only_read_and_append_the_audit_table() -> None:
    call_command("grant_app_role", APP_ROLE)
    try:
        with connection.cursor() as cursor:
            privileges = {}
            for table in ("trial_auditentry", "trial_screeningentry"):
                for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                    cursor.execute(
                        "SELECT has_table_privilege(%s, %s, %s)", [APP_ROLE, table, privilege]
                    )
                    privileges[table, privilege] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'trial_auditentry'::regclass "
                "AND attnum > 0 AND NOT attisdropped "
                "AND has_column_privilege(%s, 'trial_auditentry', attname, 'UPDATE')",
                [APP_ROLE],
            )
            updatable = {name for (name,) in cursor.fetchall()}
        audit = {p for (t, p), ok in privileges.items() if t == "trial_auditentry" and ok}
        data = {p for (t, p), ok in privileges.items() if t == "trial_screeningentry" and ok}
        assert audit == {"SELECT", "INSERT"}
        assert updatable == {"seq", "prev_hash", "hash"}  # the seal, nothing of a row's content
        assert data == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {APP_ROLE}")
            cursor.execute(f"DROP ROLE {APP_ROLE}")


def test_an_audited_commit_writes_the_chain_head(django_capture_on_commit_callbacks) -> None:
    """Anchors are not left to beat alone: the commit of an audited write appends one."""
    assert latest_anchor() is None
    with django_capture_on_commit_callbacks(execute=True):
        _entries(1)
    anchor = latest_anchor()
    head = AuditEntry.objects.order_by("-seq").first()
    assert anchor is not None and (anchor.seq, anchor.hash) == (head.seq, head.hash)
