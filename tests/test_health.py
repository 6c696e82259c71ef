"""/health/ names each dependency: a broker that does not answer is an error (503), a worker
without a recent heartbeat makes the system "degraded"; the embedded mode has neither."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from trial.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_embedded_mode_reports_in_process_services(settings) -> None:
    settings.REDIS_URL = ""
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process",
                               "workers": "in-process", "storage": "ok"}  # fmt: skip


def test_a_broker_that_does_not_answer_is_an_error(settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    response = Client().get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["broker"] == "down" and body["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # no details on a public page


@pytest.mark.redis
def test_workers_without_a_recent_heartbeat_degrade_the_system(settings) -> None:
    body = Client().get("/health/").json()
    assert body["workers"] == "stale" and body["status"] == "degraded"
    WorkerHeartbeat.objects.create(hostname="w1")
    body = Client().get("/health/").json()
    assert body["workers"] == "ok" and body["status"] == "ok"
    assert WorkerHeartbeat.objects.get().recorded_at <= timezone.now()


def test_storage_that_cannot_be_written_is_an_error(settings, tmp_path) -> None:
    settings.REDIS_URL = ""
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    settings.MEDIA_ROOT = str(blocked)
    response = Client().get("/health/")
    assert response.status_code == 503 and response.json()["storage"] == "down"
