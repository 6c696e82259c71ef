"""A broker outage with a real Redis: started by the test on its own port, then stopped. An MRI
upload is saved as queued and answers with a redirect, /health/ answers 503 naming the broker,
and once the same Redis is back and the watchdog runs, a real Celery worker takes the study to
QC pending (issue 25's broker-down acceptance)."""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from imaging.models import ImagingStudy, StudyStatus
from imaging.services import watchdog
from tests.broker import broker
from tests.imaging_study import reference_masks_folder, zip_files
from tests.test_worker import start_worker
from trial.models import Participant

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):  # up to 10 s for the server to answer
        try:
            if redis.Redis(port=port, socket_connect_timeout=0.2).ping():
                return server
        except redis.RedisError:
            time.sleep(0.1)
    server.kill()
    pytest.fail(f"redis-server did not start on port {port}")


def _wait(check: Callable[[], object], seconds: int, what: str) -> object:
    for _ in range(seconds * 2):  # a bound on tries, polled every half second
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_an_upload_during_a_broker_outage_is_processed_when_the_broker_is_back(
    role_users: dict, client_for: Callable, settings, monkeypatch, tmp_path: Path,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis(port)
    server.terminate()
    server.wait(timeout=10)  # the broker is down from here
    queue = f"imaging-{uuid.uuid4().hex[:8]}"
    masks = reference_masks_folder(tmp_path / "masks", shared_data)
    environment = {"IMAGING_SEGMENTER": "reference", "IMAGING_REFERENCE_MASKS_DIR": str(masks),
                   "MEDIA_ROOT": str(tmp_path / "media"), "IMAGING_TASK_QUEUE": queue}  # fmt: skip
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
        setattr(settings, key, value)
    participant = Participant.objects.order_by("pk").first()
    series = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    upload = SimpleUploadedFile("study.zip", zip_files(series), "application/zip")
    page = f"/participants/{participant.study_id}/visits/baseline/mri/"
    with broker(url):
        response = client_for("coordinator").post(page, {"kind": "dicom", "file": upload})
    assert response.status_code == 302  # saved, not a server error
    study = ImagingStudy.objects.get(participant=participant)
    assert study.status == StudyStatus.QUEUED and study.step_detail == watchdog.WAITING
    settings.REDIS_URL = url
    health = Client().get("/health/")
    assert health.status_code == 503 and health.json()["broker"] == "down"

    server = _redis(port)  # the same broker, back
    worker = start_worker(queue, url)
    try:
        assert Client().get("/health/").json()["broker"] == "ok"
        with broker(url):
            assert watchdog.requeue_stalled() == [study.pk]

        def measured() -> bool:
            study.refresh_from_db()
            if study.status == StudyStatus.FAILED:
                pytest.fail(f"study failed: {study.error}")
            return study.status == StudyStatus.QC_PENDING

        _wait(measured, 240, "the study to reach QC pending")
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        server.terminate()
        server.wait(timeout=10)
    assert study.runs.get().metrics.filter(level="all").count() == 8, output[-2000:]
