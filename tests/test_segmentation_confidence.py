"""Never silently wrong: a segmentation the model is unsure of, or whose shapes are implausible,
is marked "needs correction" and cannot be approved without a corrected mask or a reason; a
confident run is approvable as it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from imaging.errors import ImagingError
from imaging.labels import MUSCLEMAP_ABDOMEN
from imaging.models import StudyStatus
from imaging.segmentation.confidence import Thresholds, assess, calibrate_threshold
from imaging.segmentation.default.build import HERE
from imaging.segmentation.model import build_network
from imaging.services.ingest import ingest_nifti, ingest_zip
from imaging.services.review import correct_mask, decide, queue_measurement
from imaging.tasks import queue_pipeline
from imaging.volume import Volume
from tests.imaging_study import zip_files
from trial.models import Participant

TABLE = MUSCLEMAP_ABDOMEN[:4]


def _volume(labels: np.ndarray) -> Volume:
    return Volume(np.zeros(labels.shape, np.float32), np.diag([1.0, 1.0, 4.0, 1.0]))


def _anatomy(slices: int = 6) -> np.ndarray:
    """Canonical labels: x grows to the patient's left; multifidus medial, erector lateral."""
    labels = np.zeros((120, 80, slices), np.uint8)
    for value, (x0, x1) in {3: (20, 45), 1: (45, 58), 2: (62, 75), 4: (75, 100)}.items():
        labels[x0:x1, 40:70, :] = value
    return labels


def _soft(labels: np.ndarray, sure: float) -> np.ndarray:
    soft = np.full((5, *labels.shape), (1 - sure) / 4, np.float32)
    for value in range(5):
        soft[value][labels == value] = sure
    return soft


def test_a_clean_confident_segmentation_passes() -> None:
    labels = _anatomy()
    report = assess(_volume(labels), _soft(labels, 0.95), TABLE, Thresholds(), labels)
    assert report.problems == [] and not report.needs_correction and report.score == 0.95


def _drop_a_slice(a: np.ndarray) -> None:
    a[:, :, 3][a[:, :, 3] == 2] = 0


def _cut_in_two(a: np.ndarray) -> None:
    a[50:53, 40:70, :] = 0


def _shrink_one_slice(a: np.ndarray) -> None:
    a[45:58, 40:70, 2] = 0
    a[45:50, 40:50, 2] = 1


def _swap_sides(a: np.ndarray) -> None:
    np.copyto(a, np.choose(a, [0, 2, 1, 4, 3]).astype(np.uint8))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [(_drop_a_slice, "missing"), (_cut_in_two, "in pieces"), (_shrink_one_slice, "CSA jumps"),
     (_swap_sides, "right label lies left")],
    ids=["missing slice", "fragmented", "CSA jump", "sides swapped"],
)  # fmt: skip
def test_implausible_shapes_need_correction(damage: Callable, expected: str) -> None:
    labels = _anatomy()
    damage(labels)
    report = assess(_volume(labels), _soft(labels, 0.99), TABLE, Thresholds(), labels)
    assert report.needs_correction and any(expected in p for p in report.problems), report.problems


def test_an_unsure_model_needs_correction() -> None:
    labels = _anatomy()
    report = assess(_volume(labels), _soft(labels, 0.55), TABLE, Thresholds(), labels)
    assert report.problems == [] and report.needs_correction


def test_the_threshold_separates_poor_from_good_runs() -> None:
    assert calibrate_threshold([(0.70, 0.40), (0.9, 0.90), (0.95, 0.92)]) == 0.8
    assert calibrate_threshold([(0.9, 0.90), (0.95, 0.92)]) == 0.85
    assert calibrate_threshold([(0.93, 0.5), (0.9, 0.90)]) == 0.94  # inseparable: flag both


_SEGMENTED: dict[tuple[str, str], object] = {}


@pytest.fixture
def random_model(tmp_path: Path, settings, monkeypatch) -> None:
    """The default architecture with random weights, as an out-of-distribution stand-in.

    The network runs for real once per image and weights in this module; the tests after it
    reuse its labels and report (everything after inference still runs: selection, measuring,
    flags, review)."""
    import hashlib

    from imaging.services import pipeline
    from imaging.services.segmenters import segment

    def segment_once(image: Volume) -> object:
        weights = Path(settings.IMAGING_MODEL_WEIGHTS).read_bytes()
        pixels = image.sha256 or hashlib.sha256(image.array.tobytes()).hexdigest()
        key = (pixels, hashlib.sha256(weights).hexdigest())
        if key not in _SEGMENTED:
            _SEGMENTED[key] = segment(image)
        return _SEGMENTED[key]

    monkeypatch.setattr(pipeline, "segment", segment_once)
    torch.manual_seed(0)
    from imaging.segmentation.config import load_config

    network = build_network(load_config(HERE / "architecture.json"))
    weights = tmp_path / "random.pth"
    torch.save(network.state_dict(), weights)
    settings.IMAGING_SEGMENTER = "model"
    # Random weights make any overlap an out-of-distribution run; the lowest overlap keeps the
    # network's work (not the pipeline under test) small on a shared 2-core runner.
    settings.IMAGING_MODEL_OVERLAP = 0.25
    settings.IMAGING_MODEL_CONFIG = str(HERE / "architecture.json")
    settings.IMAGING_MODEL_WEIGHTS = str(weights)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _out_of_distribution_run(role_users: dict, shared_data: Callable) -> object:
    import gzip

    import nibabel as nib

    # The central 10 of its 26 slices: the same out-of-distribution series, less to compute.
    whole = nib.load(shared_data("imaging/chaos-abdominal-mr/11_T2SPIR_img.nii.gz"))
    spir = gzip.compress(whole.slicer[:, :, 8:18].to_bytes())
    participant = Participant.objects.order_by("pk").first()
    study = ingest_nifti(participant, "baseline", spir, None, role_users["coordinator"])
    queue_pipeline(study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.QC_PENDING, study.error
    return study.runs.get()


@pytest.mark.django_db
def test_an_out_of_distribution_run_cannot_be_approved_as_it_is(
    random_model: None, role_users: dict, shared_data: Callable, tmp_path: Path
) -> None:
    """A fat-suppressed abdominal T2-SPIR series segmented by a random-weight model."""
    run = _out_of_distribution_run(role_users, shared_data)
    assert (run.needs_correction and run.confidence["score"] < run.confidence["thresholds"][
        "min_score"]) or run.confidence["problems"]  # fmt: skip
    assert any(flag.startswith("segmentation") for flag in run.qc_flags)
    with pytest.raises(ImagingError, match="needs correction"):
        decide(run, role_users["assessor"], approve=True)
    # A corrected mask (here the run's own labels, edited: one voxel) makes an approvable run.
    from imaging.services.pipeline import run_labels
    from imaging.volume import save_nifti

    edited = run_labels(run)
    array = edited.array.copy()
    array.flat[0] = 0 if array.flat[0] else 1
    path = tmp_path / "corrected.nii.gz"
    save_nifti(edited.with_array(array), path)
    new = correct_mask(run, role_users["assessor"], path.read_bytes(), "corrected.nii.gz",
                       "reader traced the multifidus")  # fmt: skip
    queue_measurement(new, "corrected mask")
    new.refresh_from_db()
    assert not new.needs_correction
    decide(new, role_users["assessor"], approve=True)


@pytest.mark.django_db
def test_an_override_with_a_reason_is_recorded(
    random_model: None, role_users: dict, shared_data: Callable
) -> None:
    run = _out_of_distribution_run(role_users, shared_data)
    decide(run, role_users["assessor"], approve=True, reason="checked slice by slice")
    run.refresh_from_db()
    assert run.review == "approved" and run.review_reason == "checked slice by slice"


@pytest.mark.django_db
def test_a_confident_run_is_approvable(
    role_users: dict, shared_data: Callable, settings, tmp_path: Path
) -> None:
    settings.IMAGING_SEGMENTER = "model"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    files = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    participant = Participant.objects.order_by("pk").first()
    study, _ = ingest_zip(participant, "baseline", zip_files(files), role_users["coordinator"])
    queue_pipeline(study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.QC_PENDING, (study.status, study.error)
    run = study.runs.get()
    assert not run.needs_correction, run.confidence
    decide(run, role_users["assessor"], approve=True)


@pytest.mark.django_db
def test_the_readers_home_counts_the_qc_queue(
    random_model: None, role_users: dict, shared_data: Callable, client_for: Callable
) -> None:
    _out_of_distribution_run(role_users, shared_data)
    home = client_for("assessor").get("/", follow=True).content.decode()
    assert 'data-testid="imaging-qc"' in home and "/imaging/" in home
    assert "1 run awaits review" in home and "1 needs correction" in home
    assert 'data-testid="imaging-qc"' not in client_for("therapist").get(
        "/", follow=True).content.decode()  # fmt: skip
