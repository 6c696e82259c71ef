"""The token API: randomise for the therapist (idempotent), blinded reads for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from randomization.models import AllocationSlot
from trial.models import AuditEntry, Participant
from trial.protocol import PROTOCOL

pytestmark = pytest.mark.django_db


def token_client(user: object) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_therapist_randomises_through_the_api_with_a_token(role_users) -> None:
    waiting = Participant.objects.get(randomized_on__isnull=True, visits__visit_code="baseline")
    client = token_client(role_users["therapist"])
    url = f"/api/v1/participants/{waiting.study_id}/randomise/"
    first = client.post(url)
    assert first.status_code == 200, first.content
    arm = AllocationSlot.objects.get(participant=waiting).arm
    assert first.json()["arm"] == arm and first.json()["arm_label"] == PROTOCOL.arm(arm).label
    assert client.post(url).json() == first.json()  # a retry returns the same allocation
    assert AllocationSlot.objects.filter(participant=waiting).count() == 1
    row = AuditEntry.objects.get(
        object_type="randomization.AllocationSlot",
        field="participant",
        action="update",
        subject=waiting.study_id,
    )
    assert (row.channel, row.username) == ("api", "therapist")


def test_api_refuses_without_token_or_permission(role_users) -> None:
    waiting = Participant.objects.get(randomized_on__isnull=True, visits__visit_code="baseline")
    url = f"/api/v1/participants/{waiting.study_id}/randomise/"
    assert Client().post(url).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").post(url).status_code == 401
    assert token_client(role_users["assessor"]).post(url).status_code == 403
    assert not AllocationSlot.objects.filter(participant=waiting).exists()


def test_api_refusal_is_a_clear_error(role_users) -> None:
    consented = Participant.objects.filter(visits__isnull=True).first()
    response = token_client(role_users["therapist"]).post(
        f"/api/v1/participants/{consented.study_id}/randomise/"
    )
    assert response.status_code == 409
    assert response.json()["error"] == "BaselineIncomplete"
    assert "lsiq" not in response.content.decode().lower()


@pytest.mark.parametrize(
    "role", ["assessor", "coordinator", "monitor", "statistician", "data_manager"]
)
def test_api_reads_are_blinded(role_users, role: str) -> None:
    rows = token_client(role_users[role]).get("/api/v1/participants/").json()
    assert rows and all(row["arm"] is None for row in rows)
    text = str(rows)
    assert not any(arm.code in text or arm.label in text for arm in PROTOCOL.arms)


def test_api_hides_the_lsiq_from_the_therapist(role_users) -> None:
    client = token_client(role_users["therapist"])
    rows = client.get("/api/v1/participants/").json()
    assert any(row["arm"] for row in rows)  # unblinded to the arm
    assert "lsiq" not in str(rows).lower()
    assert "lsiq" in str(
        token_client(role_users["coordinator"]).get("/api/v1/participants/").json()
    )
