"""The imaging pipeline in-process (tasks eager): upload, selection, labels, metrics, review."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from imaging.models import ImagingStudy, MuscleMetric, ReviewStatus, StudyStatus
from imaging.selectors import approved_metrics
from imaging.services.ingest import ingest_zip
from imaging.services.review import decide
from imaging.services.storage import run_folder, series_folder
from imaging.tasks import queue_pipeline
from tests.imaging_study import AXIAL_DESCRIPTION, build_study, zip_files
from trial.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def study_files(tmp_path: Path, shared_data: Callable[[str], Path]) -> dict[str, list[Path]]:
    return build_study(tmp_path / "study", shared_data)


def _participant(role_users: dict) -> Participant:
    return Participant.objects.order_by("pk").first()


def _process(participant: Participant, files: list[Path], user: object) -> ImagingStudy:
    study, _ = ingest_zip(participant, "baseline", zip_files(files), user)
    queue_pipeline(study.pk)
    study.refresh_from_db()
    return study


def test_upload_selects_the_axial_t2_measures_and_writes_a_seg(
    reference_masks: Path, study_files: dict, role_users: dict, settings
) -> None:
    participant = _participant(role_users)
    files = [p for kind in study_files.values() for p in kind]
    study = _process(participant, files, role_users["coordinator"])
    assert study.status == StudyStatus.QC_PENDING, study.error
    assert study.files == len(files)
    chosen = study.chosen_series
    assert chosen.description == AXIAL_DESCRIPTION
    decisions = {s.description: " ".join(s.reasons) for s in study.series.all()}
    assert "fat-suppressed" in decisions["T2 SPIR tra"]
    assert "not axial" in decisions["t2_tse_sag"]
    assert "lacks ORIGINAL/PRIMARY" in decisions["t2 tra MPR"]
    # Only the pseudonymised copy is kept: no name, birth date or institution, study ID instead.
    kept = sorted(series_folder(study, chosen).glob("*.dcm"))
    header = pydicom.dcmread(kept[0])
    assert header.PatientID == participant.study_id
    assert str(header.PatientName) == f"{participant.study_id}^"
    assert header.PatientBirthDate == "" and "InstitutionName" not in header
    original = pydicom.dcmread(study_files["axial"][0])
    assert header.StudyInstanceUID != original.StudyInstanceUID
    run = study.runs.get()
    assert run.label_source == "reference" and len(run.model_sha256) == 64
    metric = MuscleMetric.objects.get(run=run, muscle="multifidus", side="left", level="all")
    assert metric.volume_mm3 == pytest.approx(78554, rel=0.005)
    # The dashboard's CSA panel reads level "all": mean CSA over the slices the muscle is on.
    spacing = run.result["image"]["spacing_mm"][2]
    assert metric.mean_csa_mm2 == pytest.approx(
        metric.volume_mm3 / (metric.n_slices * spacing), rel=0.02
    )
    assert metric.fat_method == "gmm3" and 0 < metric.fat_fraction_pct < 100
    seg = pydicom.dcmread(run_folder(run) / "seg.dcm")
    assert seg.Modality == "SEG" and seg.StudyInstanceUID == header.StudyInstanceUID
    assert seg.FrameOfReferenceUID == header.FrameOfReferenceUID
    assert run.seg_series_uid == seg.SeriesInstanceUID and not run.seg_stored
    assert list((run_folder(run) / "overlays").glob("*.png"))
    assert not approved_metrics().exists()  # pending review: nothing reaches exports
    decide(run, role_users["assessor"], approve=True)
    study.refresh_from_db()
    assert study.status == StudyStatus.APPROVED
    assert (
        approved_metrics().filter(run=run).count() == MuscleMetric.objects.filter(run=run).count()
    )


def test_a_task_delivered_twice_reuses_the_run(
    reference_masks: Path, study_files: dict, role_users: dict
) -> None:
    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    metrics = MuscleMetric.objects.filter(run__study=study).count()
    queue_pipeline(study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.QC_PENDING
    assert study.runs.count() == 1
    assert MuscleMetric.objects.filter(run__study=study).count() == metrics


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "pixel data cannot be decoded"),
        ("drop-slice", "not uniform"),
        ("empty-mask", "label map is empty"),
        ("ct", "no eligible axial T2 series"),
    ],
)
def test_bad_input_fails_the_study_with_a_message(
    reference_masks: Path, study_files: dict, role_users: dict, damage: str, message: str
) -> None:
    files = list(study_files["axial"])
    if damage == "truncate":
        files[5].write_bytes(files[5].read_bytes()[:3000])
    elif damage == "drop-slice":
        files.pop(8)
    elif damage == "empty-mask":
        image = nib.load(str(reference_masks / "mm.nii.gz"))
        empty = nib.Nifti1Image(np.zeros(image.shape, np.uint8), image.affine)
        nib.save(empty, str(reference_masks / "mm.nii.gz"))
    elif damage == "ct":
        for path in files:
            ds = pydicom.dcmread(path)
            ds.Modality = "CT"
            ds.save_as(path)
    study = _process(_participant(role_users), files, role_users["coordinator"])
    assert study.status == StudyStatus.FAILED
    assert message in study.error
    assert not MuscleMetric.objects.filter(run__study=study).exists()


def test_reject_needs_a_reason_and_keeps_metrics_out_of_exports(
    reference_masks: Path, study_files: dict, role_users: dict
) -> None:
    from imaging.errors import ImagingError

    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    run = study.runs.get()
    with pytest.raises(ImagingError, match="needs a reason"):
        decide(run, role_users["assessor"], approve=False)
    decide(run, role_users["assessor"], approve=False, reason="mask leaks into fat")
    run.refresh_from_db()
    assert run.review == ReviewStatus.REJECTED
    assert not approved_metrics().exists()


def test_a_corrected_nifti_mask_supersedes_the_run_and_a_misfit_changes_nothing(
    reference_masks: Path, study_files: dict, role_users: dict, settings, tmp_path: Path
) -> None:
    from scipy import ndimage

    from imaging.errors import ImagingError
    from imaging.services.review import correct_mask, queue_measurement

    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    run = study.runs.get()
    before = MuscleMetric.objects.get(run=run, muscle="multifidus", side="left", level="all")
    image = nib.load(str(reference_masks / "mm.nii.gz"))
    labels = np.asanyarray(image.dataobj).astype(np.uint8)
    shrunk = np.where(ndimage.binary_erosion(labels == 2, iterations=1), 2, 0)
    labels = np.where(labels == 2, shrunk, labels).astype(np.uint8)
    corrected = tmp_path / "corrected.nii.gz"
    nib.save(nib.Nifti1Image(labels, image.affine), str(corrected))
    misfit = tmp_path / "misfit.nii.gz"
    nib.save(nib.Nifti1Image(labels[:, :, :10], image.affine), str(misfit))
    with pytest.raises(ImagingError, match="does not lie on the image's grid"):
        correct_mask(run, role_users["assessor"], misfit.read_bytes(), misfit.name, "trim")
    assert study.runs.count() == 1
    new = correct_mask(run, role_users["assessor"], corrected.read_bytes(), corrected.name,
                       "mask leaked into the epimuscular fat")  # fmt: skip
    assert not new.metrics.exists()  # measured by the task, not in the request
    with pytest.raises(ImagingError, match="still being measured"):
        decide(new, role_users["assessor"], approve=True)
    assert queue_measurement(new, "corrected mask")  # eager here: measured now
    run.refresh_from_db()
    assert run.review == ReviewStatus.SUPERSEDED and new.label_source == "upload"
    after = MuscleMetric.objects.get(run=new, muscle="multifidus", side="left", level="all")
    assert after.volume_mm3 < before.volume_mm3 * 0.9
    right = MuscleMetric.objects.get(run=new, muscle="multifidus", side="right", level="all")
    assert right.volume_mm3 == pytest.approx(84533, rel=0.005)


def test_the_runs_own_seg_uploaded_as_a_correction_measures_the_same(
    reference_masks: Path, study_files: dict, role_users: dict, settings
) -> None:
    from imaging.services.review import correct_mask, queue_measurement

    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    run = study.runs.get()
    seg = (run_folder(run) / "seg.dcm").read_bytes()
    new = correct_mask(run, role_users["assessor"], seg, "seg.dcm", "reader's edit")
    queue_measurement(new, "corrected mask")
    for row in MuscleMetric.objects.filter(run=run, level="all"):
        other = MuscleMetric.objects.get(run=new, muscle=row.muscle, side=row.side, level="all")
        assert other.volume_mm3 == pytest.approx(row.volume_mm3, abs=1e-6)


@pytest.mark.parametrize("kind", ["seg.dcm", "mask.nii.gz"])
def test_a_corrected_masks_file_name_never_chooses_where_it_is_written(
    kind: str, reference_masks: Path, study_files: dict, role_users: dict, tmp_path: Path
) -> None:
    """The service keeps the upload's name for provenance only: an absolute or ``..`` name
    (from a client other than Django's parser, which strips them) writes nothing there."""
    from imaging.services.review import correct_mask

    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    run = study.runs.get()
    if kind == "seg.dcm":
        data = (run_folder(run) / "seg.dcm").read_bytes()
    else:
        image = nib.load(str(reference_masks / "mm.nii.gz"))
        labels = np.asanyarray(image.dataobj).astype(np.uint8)
        labels[labels == 2] = 0  # a different mask, or the run would be the same one
        data = tmp_path / kind
        nib.save(nib.Nifti1Image(labels, image.affine), str(data))
        data = data.read_bytes()
    target = tmp_path / "elsewhere"
    target.mkdir()
    new = correct_mask(run, role_users["assessor"], data, str(target / kind), "reader's edit")
    assert list(target.iterdir()) == []
    assert new.pk != run.pk and new.model_name == kind


def test_a_corrected_mask_whose_measurement_was_lost_is_measured_by_the_watchdog(
    reference_masks: Path, study_files: dict, role_users: dict, settings, client_for
) -> None:
    import datetime as dt

    from imaging.models import SegmentationRun
    from imaging.services import watchdog
    from imaging.services.review import correct_mask

    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    run = study.runs.get()
    seg = (run_folder(run) / "seg.dcm").read_bytes()
    new = correct_mask(run, role_users["assessor"], seg, "seg.dcm", "reader's edit")
    assert watchdog.stalled() == []  # just sent: not yet owed
    page = client_for("assessor").get(f"/imaging/runs/{new.pk}/").content.decode()
    assert 'data-testid="measuring"' in page
    # Its message never reached a worker, and the stall interval has passed.
    late = new.created_at - dt.timedelta(seconds=settings.IMAGING_STALL_SECONDS + 60)
    SegmentationRun._base_manager.filter(pk=new.pk).update(created_at=late)
    assert watchdog.requeue_stalled() == [study.pk]
    new.refresh_from_db()
    study.refresh_from_db()
    assert new.result and new.metrics.filter(level="all").count() == 8
    assert study.status == StudyStatus.QC_PENDING and study.runs.count() == 2  # nothing re-run


def test_a_reader_override_survives_reselection(
    reference_masks: Path, study_files: dict, role_users: dict
) -> None:
    from imaging.services.review import override_series

    files = study_files["axial"] + study_files["derived"]
    study = _process(_participant(role_users), files, role_users["coordinator"])
    derived = study.series.get(description="t2 tra MPR")
    override_series(study, derived, role_users["assessor"], "re-acquired after motion")
    queue_pipeline(study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.QC_PENDING, study.error
    assert study.chosen_series == derived
    assert study.runs.filter(series=derived, review=ReviewStatus.PENDING).count() == 1
    derived.refresh_from_db()
    assert derived.reasons[-1] == "chosen by the reader: re-acquired after motion"


def test_discs_picked_on_the_page_remeasure_by_level(
    reference_masks: Path, study_files: dict, role_users: dict, client_for
) -> None:
    study = _process(_participant(role_users), study_files["axial"], role_users["coordinator"])
    client = client_for("assessor")
    url = f"/imaging/{study.pk}/levels/"
    for disc, k in (("L4-L5", 9.5), ("L5-S1", 1.5)):
        response = client.post(url, {"disc": disc, "i": 127.5, "j": 103.5, "k": k})
        assert response.status_code == 302
    assert client.post(url, {"disc": "L4-L5", "i": 127.5, "j": 103.5, "k": 99}).status_code == 200
    assert set(study.levels.discs) == {"L4-L5", "L5-S1"}
    run = study.runs.get()
    level = MuscleMetric.objects.get(run=run, muscle="multifidus", side="left", level="L5")
    assert level.n_slices == 8 and level.csa_mm2 > 0
    overlay = client.get(f"/imaging/runs/{run.pk}/overlay/L5.png")
    assert overlay.status_code == 200 and overlay.content.startswith(b"\x89PNG")
    # The pipeline proposed two discs (not named: no sacrum in this stack); the reader's picks
    # give provisional levels that reach no export until confirmed.
    page = client.get(url).content.decode()
    assert 'data-testid="proposed-discs"' in page and "not named" in page
    assert len(study.levels.proposed["discs"]) == 2
    assert "per-level metrics are provisional" in page
    from imaging.selectors import approved_metrics
    from imaging.services.review import decide

    run.refresh_from_db()
    decide(run, role_users["assessor"], approve=True, reason="")
    assert not approved_metrics().filter(run=run, level="L5").exists()
    assert approved_metrics().filter(run=run, level="all").exists()
    review_page = client.get(f"/imaging/runs/{run.pk}/").content.decode()
    assert "levels missing" in review_page and "L1, L2, L3, L4" in review_page  # only L5 has discs
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert "per-level metrics are final" in client.get(url).content.decode()
    assert approved_metrics().filter(run=run, level="L5").exists()
