"""The embedded mode (``make run``, no broker) processes an MRI upload on a background thread:
the upload answers at once with the study queued, and the study reaches QC pending without any
further request. The background thread is held by a first task so that the state right after the
upload is observed, not raced."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imaging.models import ImagingStudy, StudyStatus
from tests.imaging_study import reference_masks_folder, zip_files
from trial.dispatch import run_in_background
from trial.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_upload_answers_at_once_and_is_processed_in_the_background(
    role_users: dict, client_for: Callable, settings, tmp_path: Path,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    masks = reference_masks_folder(tmp_path / "masks", shared_data)
    settings.IMAGING_SEGMENTER = "reference"
    settings.IMAGING_REFERENCE_MASKS_DIR = str(masks)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    release = threading.Event()
    run_in_background(lambda: release.wait(timeout=120), "a task ahead in the queue")
    participant = Participant.objects.order_by("pk").first()
    series = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    upload = SimpleUploadedFile("study.zip", zip_files(series), "application/zip")
    page = f"/participants/{participant.study_id}/visits/baseline/mri/"
    response = client_for("coordinator").post(page, {"kind": "dicom", "file": upload})
    assert response.status_code == 302
    study = ImagingStudy.objects.get(participant=participant)
    assert study.status == StudyStatus.QUEUED  # answered before any processing
    release.set()
    run_in_background(lambda: None, "the queue's end").result(timeout=600)  # FIFO, one thread
    study.refresh_from_db()
    assert study.status == StudyStatus.QC_PENDING, study.error
    assert study.runs.get().metrics.filter(level="all").count() == 8
