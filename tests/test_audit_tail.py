"""The randomiser's batch inserts its trail rows already sealed (``trial.audit.tail``): they join
the same gap-free chain as rows the sequencer seals after commit, interleave with them, and are
checked like any other (an altered one is found), whatever address the request came from."""

from __future__ import annotations

import ipaddress
import random
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from randomization import batch, queue
from randomization.batch import REASON
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import Environment
from randomization.sequence import generate
from randomization.services import randomise
from tests.audit_helpers import chain_intact, screen, tamper
from tests.journey import TODAY, enrolled, with_baseline
from trial.audit.context import AuditContext
from trial.audit.sequencer import seal_pending
from trial.audit.tail import stored_ip
from trial.models import AuditEntry, Participant

pytestmark = pytest.mark.django_db  # SQLite (make run) and PostgreSQL alike


@pytest.fixture
def ready(role_users: dict) -> list[Participant]:
    """Two participants ready to randomise, and a list to randomise them from."""
    slots = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 6, "tail")
    import_list(to_csv(slots), "tail", Environment.TEST, role_users["statistician"])
    coordinator = role_users["coordinator"]
    return [with_baseline(enrolled(coordinator), coordinator, 12, TODAY) for _ in range(2)]


def _trail_of(participant: Participant) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(subject=participant.study_id, reason=REASON))


def test_the_batch_inserts_its_rows_sealed_after_rows_still_waiting_for_the_sequencer(
    role_users: dict, ready: list[Participant]
) -> None:
    seal_pending()  # what the setup wrote
    # Inside the test's transaction no commit runs the sequencer: these rows stay unsealed.
    unsealed = [row.pk for row in AuditEntry.objects.filter(pk__in=_screened())]
    participant = ready[0]

    randomise(participant, role_users["therapist"], environment=Environment.TEST)

    trail = _trail_of(participant)
    assert len(trail) >= 4  # the slot's and the participant's changed fields, and the event
    assert all(row.seq is not None and row.hash for row in trail)  # sealed by their writer
    assert AuditEntry.objects.filter(pk__in=unsealed, seq__isnull=True).count() == len(unsealed)
    assert chain_intact()

    assert seal_pending() >= len(unsealed)  # the sequencer seals the others after them
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert max(row.seq for row in trail) < AuditEntry.objects.get(pk=unsealed[0]).seq
    assert chain_intact()
    call_command("verify_audit")


def _screened() -> list[int]:
    """Ids of the trail rows of an audited write made now (a screening-log entry)."""
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    screen(40)
    return list(AuditEntry.objects.filter(id__gt=last).values_list("id", flat=True))


def test_an_altered_row_sealed_by_the_batch_is_found(
    role_users: dict, ready: list[Participant]
) -> None:
    participant = ready[0]
    randomise(participant, role_users["therapist"], environment=Environment.TEST)
    seal_pending()
    call_command("verify_audit")
    target = next(row for row in _trail_of(participant) if row.field == "randomized_on")
    tamper("UPDATE trial_auditentry SET new_value = %s WHERE id = %s", ["2026-01-01", target.pk])
    with pytest.raises(CommandError, match=f"seq {target.seq} "):
        call_command("verify_audit")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_committed_while_the_batch_holds_the_chain_are_sealed_when_it_commits(
    role_users: dict, ready: list[Participant], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer commits while the batch holds the chain: its own seal finds the lock
    taken and leaves its rows; the batch's seal after its commit must take them up."""
    holding, go_on = threading.Event(), threading.Event()
    take_tail = batch.tail_from

    def tail_then_pause(results: list) -> object:
        tail = take_tail(results)
        holding.set()
        assert go_on.wait(timeout=60), "the test never let the batch go on"
        return tail

    monkeypatch.setattr(batch, "tail_from", tail_then_pause)
    errors: list[BaseException] = []

    def randomiser() -> None:
        try:
            randomise(ready[0], role_users["therapist"], environment=Environment.TEST)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    seal_pending()
    thread = threading.Thread(target=randomiser)
    thread.start()
    assert holding.wait(timeout=60)
    written = _screened()  # committed; its seal found the chain's lock held
    assert AuditEntry.objects.filter(pk__in=written, seq__isnull=True).count() == len(written)
    go_on.set()
    thread.join()
    assert not errors, errors
    assert not AuditEntry.objects.filter(pk__in=written, seq__isnull=True).exists()
    assert all(row.seq is not None for row in _trail_of(ready[0]))
    assert chain_intact()


@pytest.mark.parametrize(
    "ip", ["10.0.0.7", "::FFFF:10.0.0.7", "::10.0.0.7", "2001:DB8:0:0:1:0:0:1", "fe80::1", None]
)
def test_each_requests_address_is_hashed_as_it_is_stored(
    role_users: dict, ready: list[Participant], ip: str | None
) -> None:
    """A request from another workstation (its own address, IPv6 forms included) decided in
    this caller's batch: the rows it sealed verify against the address as read back."""
    waiting, asking = ready
    therapist = role_users["therapist"]
    context = AuditContext(therapist.pk, therapist.username, "Therapist", "web", ip, "Firefox", "")
    queue.record(waiting.pk, therapist.pk, Environment.TEST, TODAY, context)

    randomise(asking, therapist, environment=Environment.TEST)

    trail = _trail_of(waiting)
    assert trail and all(row.seq is not None for row in trail)
    assert {row.ip for row in trail} == {stored_ip(ip)}
    seal_pending()
    assert chain_intact()


@pytest.mark.postgres
def test_stored_ip_is_the_text_postgresql_gives_back() -> None:
    rng = random.Random(5952)
    addresses = [
        "127.0.0.1", "0.0.0.0",  # noqa: S104 (a text, not a bind)
        "255.255.255.255", "::", "::1", "::2", "::ffff:1.2.3.4",
        "::FFFF:0.0.0.0", "::1.2.3.4", "::0.0.1.0", "::1:0:0", "1::", "2001:db8::",
        "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8:0:1:1:1:1:1", "2001:0:0:1::1",
        "fe80::1:0:0:1", "64:ff9b::192.0.2.33", "::ffff:0:1.2.3.4",
    ]  # fmt: skip
    for _ in range(300):  # random addresses, with runs of zero words of every length
        words = [rng.choice([0, 0, 0, rng.randrange(1, 0x10000)]) for _ in range(8)]
        addresses.append(str(ipaddress.IPv6Address(b"".join(w.to_bytes(2, "big") for w in words))))
    with connection.cursor() as cursor:
        for address in addresses:
            cursor.execute("SELECT %s::inet", [address])
            assert stored_ip(address) == cursor.fetchone()[0], address
