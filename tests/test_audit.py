"""The audit trail: reasons for change on every channel, append-only, tamper-evident, sealed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.audit_helpers import tamper
from trial.audit.context import audit_context
from trial.audit.exceptions import BulkChangeRefused, ReasonRequired
from trial.audit.sequencer import seal_pending
from trial.models import AuditEntry, ScreeningEntry
from trial.models.audit import AuditAction


def make_entry(**overrides) -> ScreeningEntry:
    values = {"screened_on": dt.date(2026, 3, 2), "source": "clinic", "age": 40, "language": "en"}
    return ScreeningEntry.objects.create(**{**values, **overrides})


def rows_for(entry: ScreeningEntry, action: str) -> dict[str, AuditEntry]:
    entries = AuditEntry.objects.filter(
        object_type="trial.ScreeningEntry", object_id=str(entry.pk), action=action
    )
    return {e.field: e for e in entries}


# --- ORM channel -------------------------------------------------------------------------------


def test_create_records_every_field_with_context(db) -> None:
    with audit_context(
        user_id=7, username="alice", role="coordinator", channel="import", ip="10.1.2.3"
    ):
        entry = make_entry()
    rows = rows_for(entry, AuditAction.CREATE)
    assert set(rows) == {"screened_on", "source", "age", "language", "outcome", "notes"}
    assert rows["age"].new_value == "40" and rows["age"].old_value is None
    assert rows["age"].username == "alice" and rows["age"].role == "coordinator"
    assert rows["age"].channel == "import" and rows["age"].ip == "10.1.2.3"
    assert rows["age"].occurred_at.utcoffset() == dt.timedelta(0)


def test_edit_without_reason_raises_and_changes_nothing(db) -> None:
    entry = make_entry()
    before = AuditEntry.objects.count()
    entry.age = 41
    with pytest.raises(ReasonRequired, match="age"):
        entry.save()
    assert ScreeningEntry.objects.get(pk=entry.pk).age == 40
    assert AuditEntry.objects.count() == before


def test_edit_with_reason_keeps_old_and_new_values(db) -> None:
    entry = make_entry()
    entry.age = 41
    entry.save(reason="transcription error, source document says 41")
    row = rows_for(entry, AuditAction.UPDATE)["age"]
    assert (row.old_value, row.new_value) == ("40", "41")
    assert row.reason.startswith("transcription error")
    assert "language" not in rows_for(entry, AuditAction.UPDATE)  # unchanged fields not logged


def test_reason_from_context_is_accepted(db) -> None:
    entry = make_entry()
    entry.outcome = "declined"
    with audit_context(reason="participant phoned back"):
        entry.save()
    assert rows_for(entry, AuditAction.UPDATE)["outcome"].reason == "participant phoned back"


def test_resave_without_changes_needs_no_reason(db) -> None:
    entry = make_entry()
    before = AuditEntry.objects.count()
    entry.save()
    assert AuditEntry.objects.count() == before


def test_delete_needs_reason_and_is_recorded(db) -> None:
    entry = make_entry()
    pk = entry.pk
    with pytest.raises(ReasonRequired):
        entry.delete()
    assert ScreeningEntry.objects.filter(pk=pk).exists()
    entry.delete(reason="duplicate entry of SCR-0001")
    assert not ScreeningEntry.objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.filter(object_id=str(pk), action=AuditAction.DELETE)
    assert deleted.get(field="age").old_value == "40"


def test_bulk_changes_are_refused_and_bulk_create_is_audited(db) -> None:
    make_entry()
    with pytest.raises(BulkChangeRefused):
        ScreeningEntry.objects.update(age=50)
    with pytest.raises(BulkChangeRefused):
        ScreeningEntry.objects.all().delete()
    created = ScreeningEntry.objects.bulk_create(
        [ScreeningEntry(screened_on=dt.date(2026, 1, 5), source="other", age=30, language="fr")]
    )
    assert rows_for(created[0], AuditAction.CREATE)["language"].new_value == "fr"


def test_sealed_fields_never_reach_the_trail_in_plain_form(db, monkeypatch) -> None:
    monkeypatch.setattr(ScreeningEntry, "audit_sealed_fields", frozenset({"outcome"}))
    entry = make_entry(outcome="eligible")
    entry.outcome = "declined"
    entry.save(reason="test")
    values = AuditEntry.objects.filter(
        object_type=ScreeningEntry._meta.label, object_id=str(entry.pk), field="outcome"
    ).values_list("old_value", "new_value")
    flat = {v for pair in values for v in pair}
    assert "eligible" not in flat and "declined" not in flat
    assert "<sealed>" in flat


def test_audit_rows_cannot_be_changed_through_the_orm(db) -> None:
    make_entry()
    row = AuditEntry.objects.first()
    row.reason = "rewritten"
    with pytest.raises(BulkChangeRefused):
        row.save()
    with pytest.raises(BulkChangeRefused):
        row.delete()
    with pytest.raises(BulkChangeRefused):
        AuditEntry.objects.all().update(reason="x")


# --- hash chain ----------------------------------------------------------------------------------


def test_verify_audit_passes_on_an_intact_chain(db, capsys) -> None:
    entry = make_entry()
    entry.age = 45
    entry.save(reason="corrected")
    call_command("verify_audit")
    assert "rows verified" in capsys.readouterr().out


def test_verify_audit_finds_an_altered_row(db) -> None:
    entry = make_entry()
    entry.age = 45
    entry.save(reason="corrected")
    seal_pending()  # as the commit would
    target = AuditEntry.objects.get(field="age", action=AuditAction.UPDATE)
    tamper("UPDATE trial_auditentry SET new_value = %s WHERE id = %s", ["44", target.id])
    with pytest.raises(CommandError, match=f"seq {target.seq} "):
        call_command("verify_audit")


def test_verify_audit_finds_a_deleted_row(db) -> None:
    make_entry()
    make_entry()
    seal_pending()
    middle = AuditEntry.objects.order_by("seq")[3]
    tamper("DELETE FROM trial_auditentry WHERE id = %s", [middle.id])
    with pytest.raises(CommandError, match=f"seq {middle.seq + 1} "):
        call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql", ["UPDATE trial_auditentry SET reason = 'x'", "DELETE FROM trial_auditentry"]
)
def test_raw_sql_update_or_delete_is_rejected_by_postgresql(db, sql: str) -> None:
    assert connection.vendor == "postgresql"
    make_entry()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.filter(reason="x").count() == 0
    assert AuditEntry.objects.count() > 0


# --- web and admin channels ----------------------------------------------------------------------


def test_web_edit_requires_reason(client_for) -> None:
    client = client_for("coordinator")
    entry = make_entry()
    form = {
        "screened_on": "2026-03-02",
        "source": "clinic",
        "age": "42",
        "language": "en",
        "outcome": "pending",
        "notes": "",
    }
    response = client.post(f"/screening/{entry.pk}/", form)
    assert response.status_code == 200
    assert b"Give a reason for changing saved data." in response.content
    assert ScreeningEntry.objects.get(pk=entry.pk).age == 40

    response = client.post(f"/screening/{entry.pk}/", {**form, "reason_for_change": "typo"})
    assert response.status_code == 302
    row = rows_for(entry, AuditAction.UPDATE)["age"]
    assert (row.old_value, row.new_value, row.reason) == ("40", "42", "typo")
    assert (row.channel, row.username, row.role) == ("web", "coordinator", "coordinator")
    assert row.ip == "127.0.0.1"


def test_web_create_needs_no_reason(client_for) -> None:
    client = client_for("coordinator")
    response = client.post(
        "/screening/new/",
        {
            "screened_on": "2026-04-01",
            "source": "other",
            "age": "33",
            "language": "fr",
            "outcome": "pending",
        },
    )
    assert response.status_code == 302
    entry = ScreeningEntry.objects.get(age=33, screened_on=dt.date(2026, 4, 1))
    assert rows_for(entry, AuditAction.CREATE)["age"].channel == "web"


def test_admin_edit_requires_reason(client_for) -> None:
    client = client_for("pi")
    from django.contrib.auth.models import Permission

    from trial.models import User

    pi = User.objects.get(username="pi")
    pi.user_permissions.add(Permission.objects.get(codename="change_screeningentry"))
    entry = make_entry()
    url = f"/admin/trial/screeningentry/{entry.pk}/change/"
    form = {
        "screened_on": "2026-03-02",
        "source": "clinic",
        "age": "43",
        "language": "en",
        "outcome": "pending",
        "notes": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and b"Give a reason for this change." in response.content
    assert ScreeningEntry.objects.get(pk=entry.pk).age == 40
    response = client.post(url, {**form, "reason_for_change": "monitor finding 12"})
    assert response.status_code == 302
    row = rows_for(entry, AuditAction.UPDATE)["age"]
    assert (row.new_value, row.channel, row.reason) == ("43", "admin", "monitor finding 12")


def test_audit_review_filters_and_csv(client_for) -> None:
    client = client_for("monitor")
    entry = make_entry()
    entry.age = 50
    entry.save(reason="review me")
    page = client.get("/audit/", {"field": "age", "action": "update"})
    assert page.status_code == 200 and b"review me" in page.content
    assert b"demo data" not in page.content  # the seeded creates are filtered out
    csv_response = client.get("/audit/", {"field": "age", "action": "update", "format": "csv"})
    body = b"".join(csv_response.streaming_content).decode()
    assert body.splitlines()[0].startswith("seq,event_id")
    assert len(body.splitlines()) == 2 and "review me" in body
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, username="monitor").exists()


def test_audit_review_filters_by_participant_user_and_date(client_for) -> None:
    from trial.audit.context import audit_context
    from trial.audit.recorder import FieldChange, record

    with audit_context(username="alice", role="coordinator", channel="import"):
        record(
            AuditAction.UPDATE,
            object_type="trial.Visit",
            object_id=1,
            subject="SB-901",
            changes=[FieldChange("weight_kg", "70", "72")],
            reason="scale recalibrated",
        )
    with audit_context(username="bob", role="assessor", channel="web"):
        record(
            AuditAction.UPDATE,
            object_type="trial.Visit",
            object_id=2,
            subject="SB-902",
            changes=[FieldChange("weight_kg", "80", "81")],
            reason="bob's fix",
        )
    client = client_for("data_manager")
    by_subject = client.get("/audit/", {"subject": "sb-901"}).content
    assert b"scale recalibrated" in by_subject and b"bob&#x27;s fix" not in by_subject
    by_user = client.get("/audit/", {"username": "bob"}).content
    assert b"bob&#x27;s fix" in by_user and b"scale recalibrated" not in by_user
    stamp = AuditEntry.objects.get(subject="SB-901").occurred_at
    today = stamp.astimezone(dt.UTC).date()
    assert stamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S").encode() in by_subject
    in_range = client.get("/audit/", {"subject": "SB-901", "date_from": today, "date_to": today})
    assert b"scale recalibrated" in in_range.content
    before = client.get("/audit/", {"subject": "SB-901", "date_to": today.replace(year=2000)})
    assert b"scale recalibrated" not in before.content
