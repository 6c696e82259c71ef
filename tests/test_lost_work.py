"""Work that never reached a worker, or whose worker died, is never lost nor stuck.

An outside attack found a study "segmenting 40 %" for an hour after the worker was killed (and a
re-run refused while it looked active), and an actigraphy import marked imported with its scoring
never queued (broker down) and the same file then refused for ever."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imaging.models import ImagingStudy, StudyStatus
from imaging.services import watchdog
from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa
from outcomes.devices.actigraphy import requeue_stalled_recordings
from outcomes.models import ActigraphyRecording, DeviceImport, ProcessingStatus
from tests.broker import UNREACHABLE, broker
from tests.imaging_study import zip_files
from tests.journey import wear_start
from tests.test_worker import ROOT, database_url_for_current_test_db
from trial.models import AuditEntry, Participant

pytestmark = pytest.mark.django_db


def _working_broker(settings) -> str:
    return settings.REDIS_URL or "memory://"


def test_an_actigraphy_commit_with_the_broker_down_waits_and_is_sent_later(
    client_for: Callable, role_users: dict, tmp_path: Path, settings,
    django_capture_on_commit_callbacks,
) -> None:  # fmt: skip
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    client = client_for("coordinator")
    start = wear_start(participant, "week16")
    path = tmp_path / "week.cwa"
    write_cwa(path, week_accel(start, 2.1, 12.5, planned_week(start.date(), nights=2)), start,
              fs=12.5)  # fmt: skip
    page = f"/participants/{participant.study_id}/visits/week16/actigraphy/"
    with path.open("rb") as handle:
        preview = client.post(page, {"action": "upload", "cwa-file": handle})["Location"]
    with broker(UNREACHABLE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview, follow=True)
    assert response.status_code == 200  # no server error
    assert "not reachable now" in response.content.decode()
    upload = DeviceImport.objects.get(pk=int(preview.rstrip("/").split("/")[-1]))
    recording = upload.recording
    assert upload.status == "queuing" and recording.status == ProcessingStatus.QUEUED
    assert recording.heartbeat_at is None
    with path.open("rb") as handle:  # the same file again: told it is waiting, not "imported"
        again = client.post(page, {"action": "upload", "cwa-file": handle})
    assert "waiting for the processing service" in again.content.decode()
    assert "Send to processing again" in client.get(preview).content.decode()
    with broker(_working_broker(settings)):
        assert requeue_stalled_recordings() == [recording.pk]
    upload.refresh_from_db()
    assert upload.status == "imported" and upload.imported_at is not None
    assert ActigraphyRecording.objects.get(pk=recording.pk).heartbeat_at is not None


def test_an_mri_upload_with_the_broker_down_is_saved_and_sent_when_it_is_back(
    reference_masks: Path, client_for: Callable, role_users: dict, settings,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    participant = Participant.objects.order_by("pk").first()
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    upload = SimpleUploadedFile("study.zip", zip_files(axial), "application/zip")
    url = f"/participants/{participant.study_id}/visits/baseline/mri/"
    with broker(UNREACHABLE):
        response = client_for("coordinator").post(url, {"kind": "dicom", "file": upload})
    assert response.status_code == 302
    study = ImagingStudy.objects.get(participant=participant)
    assert study.status == StudyStatus.QUEUED and study.step_detail == watchdog.WAITING
    assert [s.pk for s in watchdog.stalled()] == [study.pk]
    with broker(_working_broker(settings)):
        assert watchdog.requeue_stalled() == [study.pk]
    study.refresh_from_db()
    assert study.heartbeat_at is not None and not watchdog.stalled()


def test_a_reader_reruns_a_stuck_study_with_a_reason(
    reference_masks: Path, client_for: Callable, role_users: dict,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    from imaging.services.ingest import ingest_zip

    participant = Participant.objects.order_by("pk").first()
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    study, _ = ingest_zip(participant, "baseline", zip_files(axial), role_users["coordinator"])
    study.status, study.heartbeat_at = StudyStatus.SEGMENTING, timezone.now()
    study.save(reason="a worker took it")
    reader = client_for("assessor")
    page = reader.get(f"/imaging/{study.pk}/").content.decode()
    assert 'data-testid="rerun-study"' not in page  # the worker reported a moment ago
    study.heartbeat_at = timezone.now() - dt.timedelta(minutes=6)
    study.save(update_fields=["heartbeat_at"])
    assert 'data-testid="rerun-study"' in reader.get(f"/imaging/{study.pk}/").content.decode()
    refused = reader.post(f"/imaging/{study.pk}/rerun/", {"reason": ""}, follow=True)
    assert "say why" in refused.content.decode()
    with broker("memory://"):  # sent, not run here: the state is the one a worker would find
        reader.post(f"/imaging/{study.pk}/rerun/", {"reason": "worker machine restarted"})
    study.refresh_from_db()
    assert study.status == StudyStatus.QUEUED and study.heartbeat_at is not None
    assert AuditEntry.objects.filter(
        subject=participant.study_id, field="status", new_value="queued",
        reason__contains="worker machine restarted",
    ).exists()  # fmt: skip
    assert client_for("coordinator").post(f"/imaging/{study.pk}/rerun/").status_code == 403


def _worker(queue: str, redis_url: str, visibility_s: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "strongback.settings.test",
        "DATABASE_URL": database_url_for_current_test_db(),
        "REDIS_URL": redis_url,
        "IMAGING_TASK_QUEUE": queue,
        "IMAGING_SEGMENTER": "model",
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_s),
        "MEDIA_ROOT": os.environ["TEST_MEDIA_ROOT"],
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "strongback",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        "-n",
        f"{queue}@%h",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_study_whose_worker_is_killed_mid_segmentation_resumes_with_one_run(
    tmp_path: Path, settings, shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    """SIGKILL of the worker's main process while it segments: the watchdog (stall threshold set
    low here) sends the study again, a new worker finishes it, and there is exactly one run."""
    from imaging.services.ingest import ingest_zip
    from strongback.demo.seed import seed_demo

    seed_demo(participants=2, password="x-demo-password-9")
    queue = f"imaging-{uuid.uuid4().hex[:8]}"
    settings.IMAGING_TASK_QUEUE = queue
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.environ["TEST_MEDIA_ROOT"] = settings.MEDIA_ROOT
    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").last()
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    study, _ = ingest_zip(participant, "week16", zip_files(axial), None)
    first = _worker(queue, settings.REDIS_URL, visibility_s=3600)  # Redis alone would wait 1 h
    second = None
    try:
        from imaging.tasks import queue_pipeline

        assert queue_pipeline(study.pk)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            study.refresh_from_db()
            if study.status == StudyStatus.SEGMENTING:
                break
            time.sleep(0.02)
        assert study.status == StudyStatus.SEGMENTING, study.status
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        time.sleep(1)
        study.refresh_from_db()
        assert study.status == StudyStatus.SEGMENTING and not study.runs.exists()
        # Silent for longer than the stall limit: the heartbeat is set back instead of waiting.
        study.refresh_from_db()
        study.heartbeat_at = timezone.now() - dt.timedelta(
            seconds=settings.IMAGING_STALL_SECONDS + 1
        )
        study.save(update_fields=["heartbeat_at"])
        second = _worker(queue, settings.REDIS_URL, visibility_s=3600)
        assert watchdog.requeue_stalled() == [study.pk]
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            study.refresh_from_db()
            if study.status not in (StudyStatus.QUEUED, StudyStatus.SELECTING,
                                    StudyStatus.SEGMENTING, StudyStatus.MEASURING):  # fmt: skip
                break
            time.sleep(0.5)
        assert study.status == StudyStatus.QC_PENDING, study.error
        assert study.runs.count() == 1 and study.runs.get().metrics.exists()
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.communicate(timeout=30)
