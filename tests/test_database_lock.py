"""The database lock holds every write path (pages, services, bulk creates, the API) until the
data manager unlocks it with a reason; emergency unblinding stays possible while locked."""

from __future__ import annotations

import datetime as dt

import pytest

from randomization.unblinding import (
    UnblindingRefused,
    request_unblinding,
    unblind_trial,
    unlock_database,
)
from tests.conftest import DEMO_PASSWORD
from tests.journey import lock_waiving_everything, signed
from trial.audit.lock import DatabaseLocked
from trial.lock_checklist import lock_checklist
from trial.models import AuditEntry, DatabaseLock, Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_lock_refuses_every_write_until_unlocked_with_a_reason(role_users: dict) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    lock_waiving_everything(role_users["data_manager"])
    before = participant.session_1_planned_on
    participant.session_1_planned_on = dt.date(2026, 12, 1)
    with pytest.raises(DatabaseLocked, match="The database is locked"):
        participant.save(reason="correction")
    participant.refresh_from_db()
    assert participant.session_1_planned_on == before
    # Safety first: an emergency unblinding request is still taken while locked.
    request = request_unblinding(participant, role_users["pi"], "anaphylaxis in clinic")
    assert request.pk is not None

    with pytest.raises(UnblindingRefused, match="Say why"):
        unlock_database(role_users["data_manager"], "  ")
    with pytest.raises(UnblindingRefused, match="may not unlock"):
        unlock_database(role_users["assessor"], "curious")
    unlock_database(role_users["data_manager"], "query 12: ODI item 3 transcription")
    participant.session_1_planned_on = dt.date(2026, 12, 1)
    participant.save(reason="query 12")
    lock = DatabaseLock.objects.get()
    assert not lock.is_locked and lock.unlock_reason == "query 12: ODI item 3 transcription"
    trail = AuditEntry.objects.filter(object_type="trial.DatabaseLock")
    assert trail.filter(reason="database unlocked: query 12: ODI item 3 transcription").exists()
    # No unblinding while unlocked; locking again restores the guard.
    with pytest.raises(UnblindingRefused, match="Lock the database"):
        unblind_trial(signed(role_users["pi"]))
    lock_waiving_everything(role_users["data_manager"])
    with pytest.raises(DatabaseLocked):
        participant.save(reason="another")
    unblind_trial(signed(role_users["pi"]))
    assert DatabaseLock.objects.get().unblinded_at is not None


def test_pages_show_the_lock_and_refuse_edits_with_423(role_users: dict, client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    manager = client_for("data_manager")
    waivers = {f"waive_{item.code}": "test: waived" for item in lock_checklist()}
    post = {"action": "lock", "password": DEMO_PASSWORD, **waivers}
    assert manager.post("/database-lock/", post).status_code == 302
    coordinator = client_for("coordinator")
    page = coordinator.get(f"/participants/{participant.study_id}/").content.decode()
    assert 'data-testid="lock-banner"' in page
    response = coordinator.post(
        f"/participants/{participant.study_id}/identity/",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "date_of_birth": "1970-01-02",
            "email": "ada@example.org",
            "phone": "+1 514 555 0100",
            "address": "1 Main St",
            "reason_for_change": "typo",
        },
    )
    assert response.status_code == 423, response.status_code
    assert "The database is locked" in response.content.decode()

    unlocked = manager.post("/database-lock/", {"action": "unlock", "reason": "query 7"})
    assert unlocked.status_code == 302
    page = coordinator.get(f"/participants/{participant.study_id}/").content.decode()
    assert 'data-testid="lock-banner"' not in page


def test_api_randomise_while_locked_answers_423_and_allocates_nothing(role_users: dict) -> None:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from randomization.models import AllocationSlot

    waiting = Participant.objects.get(randomized_on__isnull=True, visits__visit_code="baseline")
    lock_waiving_everything(role_users["data_manager"])
    token, _ = Token.objects.get_or_create(user=role_users["therapist"])
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(f"/api/v1/participants/{waiting.study_id}/randomise/")
    assert response.status_code == 423
    assert "The database is locked" in response.json()["detail"]
    assert not AllocationSlot.objects.filter(participant=waiting).exists()
    waiting.refresh_from_db()
    assert waiting.randomized_on is None


def test_the_lock_checklist_blocks_open_items_and_records_waivers(
    role_users: dict, client_for
) -> None:
    """The seeded trial has open items (queries, unsigned visits, SDV): locking without waivers
    is refused and names them; a wrong password locks nothing; with each open item waived and the
    password, the lock is signed and keeps the checklist with its waivers."""
    from trial.models import AuditEntry, DatabaseLock, ElectronicSignature

    items = lock_checklist()
    open_items = [item for item in items if not item.clear]
    assert {"unsigned_visits", "sdv_not_done"} <= {item.code for item in open_items}
    manager = client_for("data_manager")
    page = manager.get("/database-lock/").content.decode()
    for item in items:
        assert f'data-item="{item.code}" data-clear="{"yes" if item.clear else "no"}"' in page

    refused = manager.post(
        "/database-lock/", {"action": "lock", "password": DEMO_PASSWORD}, follow=True
    ).content.decode()
    assert "Clear or waive (with a reason) before locking" in refused
    assert "Visits done and not signed off by the PI" in refused
    assert not DatabaseLock.objects.exists()

    waivers = {f"waive_{item.code}": f"accepted: {item.code}" for item in open_items}
    wrong = manager.post("/database-lock/", {"action": "lock", "password": "nope", **waivers})
    assert wrong.status_code == 302 and not DatabaseLock.objects.exists()

    manager.post("/database-lock/", {"action": "lock", "password": DEMO_PASSWORD, **waivers})
    lock = DatabaseLock.objects.get()
    assert lock.is_locked
    recorded = {row["code"]: row for row in lock.checklist}
    for item in open_items:
        assert recorded[item.code]["waiver"] == f"accepted: {item.code}"
        assert recorded[item.code]["count"] == item.count
    signature = ElectronicSignature.objects.get(object_type="database_lock")
    assert signature.meaning == "locked" and signature.signer == role_users["data_manager"]
    assert AuditEntry.objects.filter(action="lock", reason__contains="waived").exists()
    page = manager.get("/database-lock/").content.decode()
    assert 'data-testid="lock-signatures"' in page and "database locked" in page

    pi = client_for("pi")
    pi.post("/database-lock/", {"action": "unblind", "password": "wrong"})
    lock.refresh_from_db()
    assert lock.unblinded_at is None
    pi.post("/database-lock/", {"action": "unblind", "password": DEMO_PASSWORD})
    lock.refresh_from_db()
    assert lock.unblinded_at is not None
    assert ElectronicSignature.objects.filter(
        object_type="trial_unblinding", meaning="unblinded", signer=role_users["pi"]
    ).exists()
