"""The blinding layer: a leak matrix over every URL for each role blind to the arm, emergency
unblinding, trial unblinding after lock, and the blinding index."""

from __future__ import annotations

import pytest
from django.test import Client

from randomization.blinding_index import bang_index
from randomization.models import AllocationSlot, BlindingGuess, UnblindingRequest
from randomization.unblinding import (
    UnblindingRefused,
    decide_unblinding,
    request_unblinding,
    unblind_trial,
)
from tests.journey import lock_waiving_everything, signed
from tests.urlmatrix import concrete_urls, seeded_ids
from trial.models import AuditEntry, Participant
from trial.protocol import PROTOCOL
from trial.roles import ROLES

pytestmark = pytest.mark.django_db
BLINDED = sorted(role.code for role in ROLES if role.blinded_to_arm)


def arm_mentions(text: str) -> list[int]:
    """How often each arm is named (code or label). Equal counts cannot tell arms apart (a
    guess form lists both); unequal counts name one arm more than the other."""
    return [text.count(arm.code) + text.count(arm.label) for arm in PROTOCOL.arms]


def assert_no_leak(text: str, where: object) -> None:
    mentions = arm_mentions(text)
    assert len(set(mentions)) == 1, (where, mentions)


@pytest.mark.parametrize("role", BLINDED)
def test_no_page_or_export_reveals_an_arm_to_a_blinded_role(role: str, client_for) -> None:
    assert "coordinator" in BLINDED and "assessor" in BLINDED and "therapist" not in BLINDED
    client = client_for(role)
    client.raise_request_exception = False  # an admin page erring on a sample id answers 500
    ids = seeded_ids()
    assert AllocationSlot.objects.filter(participant__study_id=ids["study_id"]).exists()
    checked = 0
    for url in concrete_urls(ids):  # every pattern, the admin's included
        response = client.get(url.path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert_no_leak(body.decode(errors="replace"), url)
        checked += 1
    for path in ("/audit/?format=csv", "/participants/?q=", "/consort/"):
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert_no_leak(body.decode(errors="replace"), path)
    assert checked > 60


def test_unblinded_roles_do_see_the_arm(client_for) -> None:
    study_id = seeded_ids()["study_id"]
    label = PROTOCOL.arm(AllocationSlot.objects.get(participant__study_id=study_id).arm).label
    for role in ("therapist", "pi"):
        assert label in client_for(role).get(f"/participants/{study_id}/").content.decode()


def test_emergency_unblinding_reveals_the_arm_to_the_requester_only(role_users, client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    label = PROTOCOL.arm(AllocationSlot.objects.get(participant=participant).arm).label
    coordinator = client_for("coordinator")
    url = f"/participants/{participant.study_id}/unblinding/"
    assert (
        coordinator.post(url, {"reason": "ER physician needs the exercise history"}).status_code
        == 302
    )
    request = UnblindingRequest.objects.get(participant=participant)
    assert label not in coordinator.get(url).content.decode()  # pending: nothing shown
    with pytest.raises(UnblindingRefused):
        decide_unblinding(request, role_users["data_manager"], approve=True)
    pi = client_for("pi")
    assert (
        pi.post("/unblinding/", {"request_id": request.pk, "decision": "approve"}).status_code
        == 302
    )
    assert label in coordinator.get(url).content.decode()
    assert label in coordinator.get(f"/participants/{participant.study_id}/").content.decode()
    for other in ("data_manager", "assessor", "monitor"):  # still blind
        body = client_for(other).get(f"/participants/{participant.study_id}/").content.decode()
        assert label not in body, other
    trail = AuditEntry.objects.filter(object_type="randomization.UnblindingRequest")
    assert trail.filter(field="status", new_value="approved").exists()
    assert AuditEntry.objects.filter(action="view_sensitive", subject=participant.study_id).exists()
    lock_page = pi.get("/database-lock/").content.decode()
    assert 'Emergency unblindings</dt><dd class="col-sm-8">1<' in lock_page


def test_declined_or_repeated_decisions(role_users) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    request = request_unblinding(participant, role_users["coordinator"], "fall at home")
    decide_unblinding(request, role_users["pi"], approve=False, note="not needed for care")
    with pytest.raises(UnblindingRefused, match="already been decided"):
        decide_unblinding(request, role_users["pi"], approve=True)
    with pytest.raises(UnblindingRefused):
        request_unblinding(participant, role_users["assessor"], "curious")


def test_statistician_sees_arms_only_after_lock_and_unblinding(role_users, client_for) -> None:
    study_id = seeded_ids()["study_id"]
    label = PROTOCOL.arm(AllocationSlot.objects.get(participant__study_id=study_id).arm).label
    statistician = client_for("statistician")
    with pytest.raises(UnblindingRefused, match="Lock the database"):
        unblind_trial(signed(role_users["pi"]))
    lock_waiving_everything(role_users["data_manager"])
    assert label not in statistician.get(f"/participants/{study_id}/").content.decode()
    with pytest.raises(UnblindingRefused):
        unblind_trial(signed(role_users["data_manager"]))
    unblind_trial(signed(role_users["pi"]))
    assert label in statistician.get(f"/participants/{study_id}/").content.decode()
    assert label not in client_for("assessor").get(f"/participants/{study_id}/").content.decode()


def test_assessor_guess_is_recorded_once_and_sealed_in_the_trail(role_users, client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    assessor = client_for("assessor")
    url = f"/participants/{participant.study_id}/blinding-guess/"
    data = {"guess": "dont_know", "confidence": "2", "guessed_on": "2026-11-20"}
    assert assessor.post(url, data).status_code == 302
    again = assessor.post(url, {**data, "guess": "MC_ILEX"})
    assert "recorded once" in again.content.decode()
    assert BlindingGuess.objects.get(participant=participant).guess == "dont_know"
    row = AuditEntry.objects.get(object_type="randomization.BlindingGuess", field="guess")
    assert row.new_value == "<sealed>"


def test_bang_index_examples() -> None:
    arms = ["A", "B"]
    # Arm A: 6 right, 2 wrong, 2 don't know -> (6 - 2) / 10 = 0.4; arm B: 3 right, 3 wrong -> 0.
    pairs = [("A", "A")] * 6 + [("A", "B")] * 2 + [("A", "dont_know")] * 2
    pairs += [("B", "B")] * 3 + [("B", "A")] * 3
    assert bang_index(pairs, arms) == {"A": 0.4, "B": 0.0}
    assert bang_index([("A", "B")] * 4, arms) == {"A": -1.0, "B": None}


def test_every_emergency_reveal_is_audited_where_it_is_shown(role_users, client_for) -> None:
    """The participant page and the API listing show an emergency-unblinded arm too; each showing
    is on record (only the unblinding page used to write it)."""
    from rest_framework.authtoken.models import Token

    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    coordinator = client_for("coordinator")
    url = f"/participants/{participant.study_id}/unblinding/"
    coordinator.post(url, {"reason": "ER physician needs the exercise history"})
    request = UnblindingRequest.objects.get(participant=participant)
    client_for("pi").post("/unblinding/", {"request_id": request.pk, "decision": "approve"})
    reveals = AuditEntry.objects.filter(action="view_sensitive", subject=participant.study_id,
                                        object_type="randomization.AllocationSlot")  # fmt: skip
    token = Token.objects.create(user=role_users["coordinator"])
    for fetch in (
        lambda: coordinator.get(f"/participants/{participant.study_id}/"),
        lambda: coordinator.get("/participants/"),
        lambda: Client().get("/api/v1/participants/", HTTP_AUTHORIZATION=f"Token {token.key}"),
        lambda: coordinator.get(url),
    ):
        before = reveals.count()
        assert fetch().status_code == 200
        assert reveals.count() == before + 1
        assert reveals.last().username == "coordinator"
    before = reveals.count()
    client_for("assessor").get(f"/participants/{participant.study_id}/")  # blind: nothing shown
    assert reveals.count() == before


def test_lock_page_shows_both_indices_with_intervals_after_unblinding(role_users, client_for):
    from django.urls import reverse

    participants = Participant.objects.filter(randomized_on__isnull=False)[:3]
    for participant in participants:
        BlindingGuess(participant=participant, guess="dont_know", confidence=2,
                      guessed_on="2026-11-20", assessor=role_users["assessor"]).save()  # fmt: skip
    pi = client_for("pi")
    url = reverse("randomization:database_lock")
    assert 'data-testid="blinding-index"' not in pi.get(url).content.decode()  # not yet unblinded
    lock_waiving_everything(role_users["data_manager"])
    unblind_trial(signed(role_users["pi"]))
    page = pi.get(url).content.decode()
    assert 'data-testid="blinding-index"' in page
    assert "James, both arms" in page and " to " in page
