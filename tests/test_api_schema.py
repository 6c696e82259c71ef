"""The OpenAPI schema (drf-spectacular) and a Schemathesis run against a live server: generated
calls to every operation, for a blinded and an unblinded role, never get a server error; the new
read endpoints answer within the reader's blinding."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from outcomes.models import InstrumentResponse
from tests.conftest import DEMO_PASSWORD
from trial.models import Participant, User

pytestmark = [pytest.mark.postgres]


def _token(username: str) -> str:
    token, _ = Token.objects.get_or_create(user=User.objects.get(username=username))
    return token.key


@pytest.mark.django_db
def test_schema_lists_every_endpoint_for_trial_users_only(role_users: dict) -> None:
    assert Client().get("/api/schema/").status_code in (401, 403)
    client = Client(HTTP_AUTHORIZATION=f"Token {_token('assessor')}")
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths == {
        "/api/v1/participants/",
        "/api/v1/participants/{study_id}/",
        "/api/v1/participants/{study_id}/visits/",
        "/api/v1/participants/{study_id}/forms/",
        "/api/v1/participants/{study_id}/scores/",
        "/api/v1/participants/{study_id}/randomise/",
        "/api/v1/imaging/metrics/",
    }


@pytest.mark.django_db
def test_forms_and_scores_follow_the_blinding_layer(role_users: dict) -> None:
    participant = Participant.objects.filter(instrument_responses__instrument="lsiq").first()
    assert participant is not None
    coordinator = Client(HTTP_AUTHORIZATION=f"Token {_token('coordinator')}")
    therapist = Client(HTTP_AUTHORIZATION=f"Token {_token('therapist')}")
    base = f"/api/v1/participants/{participant.study_id}"
    seen = {row["instrument"] for row in coordinator.get(f"{base}/forms/").json()}
    assert "lsiq" in seen
    hidden = {row["instrument"] for row in therapist.get(f"{base}/forms/").json()}
    assert "lsiq" not in hidden and hidden == seen - {"lsiq"}
    scores = coordinator.get(f"{base}/scores/").json()
    odi = InstrumentResponse.objects.filter(participant=participant, instrument="odi").first()
    if odi is not None:
        row = next(
            r for r in scores if r["instrument"] == "odi" and r["visit_code"] == odi.visit_code
        )
        assert row["total"] == odi.total and row["scoring_version"] == odi.scoring_version
    visits = coordinator.get(f"{base}/visits/").json()
    assert [v["code"] for v in visits][:2] == ["screening", "baseline"]
    assert coordinator.get("/api/v1/participants/SB-999/forms/").status_code == 404


def test_schemathesis_finds_no_server_error(live_server, transactional_db) -> None:
    import schemathesis

    from strongback.demo.seed import seed_demo

    seed_demo(participants=6, password=DEMO_PASSWORD)
    known = Participant.objects.filter(randomized_on__isnull=False).first().study_id
    raw = Client(HTTP_AUTHORIZATION=f"Token {_token('pi')}").get("/api/schema/?format=json").json()
    schema = schemathesis.openapi.from_dict(raw)
    calls = 0
    for username in ("assessor", "pi", "therapist"):
        calls += _run_operations(schema, live_server.url, _token(username), known)
    assert calls > 100


def _run_operations(schema: object, base_url: str, token: str, known: str) -> int:
    """Generated calls to every operation with this token; returns how many were made."""
    from hypothesis import HealthCheck, given, settings

    headers = {"Authorization": f"Token {token}"}
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy()]
        if "{study_id}" in operation.path:
            strategies.append(operation.as_strategy(path_parameters={"study_id": known}))
        for strategy in strategies:

            @settings(max_examples=15, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=strategy)
            def call(case: object) -> None:
                nonlocal calls
                response = case.call(base_url=base_url, headers=headers)
                calls += 1
                assert response.status_code < 500, (case.method, case.formatted_path)

            call()
    return calls


@pytest.mark.django_db
def test_imaging_metrics_api_serves_approved_runs_only(
    role_users: dict, settings, tmp_path
) -> None:
    from imaging.models import SegmentationRun
    from imaging.services.review import decide
    from strongback.demo.seed import seed_demo_imaging

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo_imaging(role_users["coordinator"])
    client = Client(HTTP_AUTHORIZATION=f"Token {_token('assessor')}")
    assert client.get("/api/v1/imaging/metrics/").json() == []  # pending review
    run = SegmentationRun.objects.get()
    decide(run, role_users["assessor"], approve=True)
    rows = client.get("/api/v1/imaging/metrics/").json()
    assert rows and {r["level"] for r in rows} == {"all"}  # levels not confirmed: provisional
    from imaging.services.disc_levels import confirm

    confirm(run.study, role_users["assessor"])
    rows = client.get("/api/v1/imaging/metrics/").json()
    assert len(rows) == run.metrics.count() > 0
    row = next(
        r for r in rows if (r["muscle"], r["side"], r["level"]) == ("multifidus", "left", "L5")
    )
    metric = run.metrics.get(muscle="multifidus", side="left", level="L5")
    assert row["volume_mm3"] == metric.volume_mm3 and row["model_sha256"] == run.model_sha256
    study_id = run.study.participant.study_id
    assert len(client.get(f"/api/v1/imaging/metrics/?study_id={study_id}").json()) == len(rows)
    assert client.get("/api/v1/imaging/metrics/?study_id=SB-999").json() == []
