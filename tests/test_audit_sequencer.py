"""The audit chain sealed after commit: writers no longer wait for each other, the chain still
verifies, and an unsealed row is as protected as a sealed one (trigger: only the seal itself may
update it)."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from tests.audit_helpers import chain_intact, screen
from trial.audit.sequencer import seal_pending
from trial.models import AuditEntry, ScreeningEntry


@pytest.mark.django_db
def test_rows_are_written_unsealed_and_sealed_by_the_commit(
    django_capture_on_commit_callbacks,
) -> None:
    seal_pending()  # what the shared test database already holds
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        screen(40)
        written = AuditEntry.objects.filter(id__gt=last)
        assert written.count() == 6  # one row per field of the new entry ...
        assert not written.filter(seq__isnull=False).exists()  # ... none chained before commit
        screen(41)
    assert len(callbacks) == 1  # one seal per transaction, however many audited writes
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # both writes' rows, in one gap-free chain
    assert chain_intact()
    assert seal_pending() == 0


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("UPDATE trial_auditentry SET seq = 1000 + id, prev_hash = 'p', hash = 'h' || id, "
         "reason = 'forged' WHERE seq IS NULL", "a seal that also changes the content"),
        ("UPDATE trial_auditentry SET reason = 'forged' WHERE seq IS NULL", "an unsealed row"),
        ("DELETE FROM trial_auditentry WHERE seq IS NULL", "deleting an unsealed row"),
        ("UPDATE trial_auditentry SET seq = seq + 1000 WHERE seq IS NOT NULL", "re-sealing"),
    ],
)  # fmt: skip
def test_the_trigger_lets_through_only_the_seal(sql: str, what: str) -> None:
    screen(40)
    seal_pending()
    screen(41)  # one sealed write, one unsealed
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert not AuditEntry.objects.filter(reason="forged").exists(), what
    assert seal_pending() > 0 and chain_intact()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_audited_transaction_does_not_hold_up_another_writer() -> None:
    """Writer A has written (and so, before, held the chain lock) and waits; writer B writes and
    commits meanwhile. B must not wait for A: its transaction gives up on any lock wait over 2 s,
    which the old design (one advisory lock held from the first audited save to COMMIT) hit."""
    a_wrote, b_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with transaction.atomic():
                screen(50)
                a_wrote.set()
                assert b_done.wait(timeout=60), "writer B never finished"
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer_a)
    thread.start()
    assert a_wrote.wait(timeout=60)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        b = screen(60)
    b_done.set()
    thread.join()
    assert not errors, errors
    seal_pending()
    b_seq = AuditEntry.objects.filter(object_id=str(b.pk), field="age").get().seq
    a_row = AuditEntry.objects.filter(new_value="50", field="age").get()
    # A inserted first (lower id) but committed second: the chain follows the commits.
    assert a_row.id < AuditEntry.objects.get(seq=b_seq).id and a_row.seq > b_seq
    assert chain_intact()
    call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_writers_give_one_gap_free_chain() -> None:
    writers, writes = 6, 8
    # Rows committed by other transactional tests stay (the trail cannot be deleted): count ours.
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            barrier.wait()
            for i in range(writes):
                screen(18 + k * writes + i)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    seal_pending()
    ages = AuditEntry.objects.filter(field="age", id__gt=last).count()
    assert ages == writers * writes
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert None not in seqs and seqs == list(range(1, len(seqs) + 1))
    assert chain_intact()


@pytest.mark.django_db(transaction=True)
def test_a_failed_seal_never_fails_the_write_and_the_next_seal_catches_up(monkeypatch) -> None:
    import trial.audit.sequencer as sequencer

    def broken() -> int:
        raise DatabaseError("sequencer unavailable")

    real = sequencer._seal_batch
    monkeypatch.setattr(sequencer, "_seal_batch", broken)
    entry = screen(70)  # committed at once (no transaction): the seal runs and fails, logged
    assert ScreeningEntry.objects.filter(pk=entry.pk).exists()
    written = AuditEntry.objects.filter(object_id=str(entry.pk), object_type="trial.ScreeningEntry")
    assert written.exists() and not written.filter(seq__isnull=False).exists()
    monkeypatch.setattr(sequencer, "_seal_batch", real)
    assert seal_pending() >= written.count()  # what the beat task does
    assert not written.filter(seq__isnull=True).exists() and chain_intact()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_trail_keeps_only_the_indexes_its_queries_use() -> None:
    """Every audited write pays for each index twice (the insert, then the seal): the trail has
    no ``LIKE`` twin of a text index and no index on the hash or the event id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'trial_auditentry'"
        )
        indexes = dict(cursor.fetchall())
    assert not [name for name, sql in indexes.items() if "pattern_ops" in sql]
    assert not [name for name, sql in indexes.items() if "(hash)" in sql or "(event_id)" in sql]
    for column in ("action", "object_type", "subject", "field", "occurred_at", "user_id", "seq"):
        assert [name for name, sql in indexes.items() if f"({column})" in sql], column
