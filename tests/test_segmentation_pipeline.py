"""The pipeline with IMAGING_SEGMENTER=model: the shipped default model segments an uploaded study
(run and registry carry the same SHA-256, metrics close to the reference mask's), and with no
model installed the study fails with what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from imaging.models import MuscleMetric, SegmentationModel, StudyStatus
from imaging.services.ingest import ingest_zip
from imaging.tasks import queue_pipeline
from tests.imaging_study import zip_files
from trial.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
REFERENCE_LEFT_MULTIFIDUS_MM3 = 78554  # the shared label map, measured in test_imaging_pipeline


@pytest.fixture
def model_pipeline(settings, tmp_path: Path) -> None:
    settings.IMAGING_SEGMENTER = "model"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _upload(role_users: dict, shared_data: Callable) -> object:
    files = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    participant = Participant.objects.order_by("pk").first()
    study, _ = ingest_zip(participant, "baseline", zip_files(files), role_users["coordinator"])
    queue_pipeline(study.pk)
    study.refresh_from_db()
    return study


def test_default_model_segments_an_upload(
    model_pipeline: None, role_users: dict, shared_data: Callable, settings
) -> None:
    assert Path(settings.IMAGING_MODEL_CONFIG).exists(), "run `make model`"
    study = _upload(role_users, shared_data)
    assert study.status == StudyStatus.QC_PENDING, study.error
    run = study.runs.get()
    registered = SegmentationModel.objects.get()
    assert run.label_source == "model" and run.model_sha256 == registered.sha256
    assert registered.evaluation and registered.label_table[0]["muscle"] == "multifidus"
    left = MuscleMetric.objects.get(run=run, muscle="multifidus", side="left", level="all")
    assert left.volume_mm3 == pytest.approx(REFERENCE_LEFT_MULTIFIDUS_MM3, rel=0.2)


def test_without_a_model_the_study_says_what_to_do(
    model_pipeline: None, role_users: dict, shared_data: Callable, settings, tmp_path: Path
) -> None:
    settings.IMAGING_MODEL_CONFIG = str(tmp_path / "none.json")
    study = _upload(role_users, shared_data)
    assert study.status == StudyStatus.FAILED
    assert "run `make model`, or upload a mask on the review page" in study.error
    assert not study.runs.exists()


def test_approved_masks_export_as_a_training_set(
    role_users: dict, settings, tmp_path: Path
) -> None:
    from django.core.management import call_command

    from imaging.models import SegmentationRun
    from imaging.segmentation.config import load_config
    from imaging.segmentation.data import load_subjects, slices_of
    from imaging.services.review import decide
    from strongback.demo.seed import seed_demo_imaging

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo_imaging(role_users["coordinator"])
    out = tmp_path / "training"
    call_command("export_training_set", "--out", str(out))
    assert not list((out / "images").iterdir())  # nothing approved yet
    run = SegmentationRun.objects.get()
    decide(run, role_users["assessor"], approve=True)
    call_command("export_training_set", "--out", str(out))
    subjects = load_subjects(out / "images", out / "labels")
    name = f"{run.study.participant.study_id}_baseline_run{run.pk}"
    assert [s.name for s in subjects] == [name]
    config = load_config(Path(settings.BASE_DIR) / "imaging/segmentation/default/architecture.json")
    slices = slices_of(subjects[0], config)
    assert slices.labels.max() >= 2  # multifidus labels survive preprocessing
