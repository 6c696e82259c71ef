"""Ingest never trusts file content for storage: hostile UIDs cannot write outside the study's
folder, and the same images stored for two participants never share a run.

Both defects were found by an outside attack: a SeriesInstanceUID of
``1.2.840.10008./../../../../../x`` wrote files outside the media root, a targeted one added slices
to another participant's stored series, and uploading one folder for two participants made the
second study return (and re-measure) the first participant's run."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest

from imaging.errors import ImagingError
from imaging.models import ImagingSource, ImagingStudy, StudyStatus
from imaging.services.ingest import create_upload_study, ingest_zip, store_datasets
from imaging.services.review import decide
from imaging.services.storage import series_folder, study_folder
from imaging.tasks import queue_pipeline
from tests.imaging_study import zip_files
from trial.models import Participant

pytestmark = pytest.mark.django_db


def _tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _hostile_copies(sources: list[Path], folder: Path, series_uid: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, path in enumerate(sources):
        ds = pydicom.dcmread(path)
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = f"{series_uid}/{n}"
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        target = folder / f"{n}.dcm"
        ds.save_as(target)
        out.append(target)
    return out


HOSTILE = [
    "1.2.840.10008./../../../../../x",
    "../../../../etc/cron.d/x",
    "1..2.3",
    "1.2.3." + "9" * 70,
    "1.2.abc",
    "/var/absolute",
]


@pytest.fixture
def two_participants(role_users: dict) -> tuple[Participant, Participant]:
    first, second = Participant.objects.order_by("pk")[:2]
    return first, second


@pytest.fixture
def media(tmp_path: Path, settings) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "root" / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    Path(settings.MEDIA_ROOT).mkdir(parents=True)
    return tmp_path / "root"


@pytest.mark.parametrize("uid", HOSTILE)
def test_hostile_uids_write_nothing_outside_the_new_studys_folder(
    uid: str, media: Path, tmp_path: Path, role_users: dict, two_participants: tuple,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    victim, attacker = two_participants
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    coordinator = role_users["coordinator"]
    stored, _ = ingest_zip(victim, "baseline", zip_files(axial[:4]), coordinator)
    victim_series = stored.series.get()
    before = _tree(media)
    # The targeted variant aims at the victim's stored series folder as it used to be named.
    targeted = f"1.2.840.10008./../../../study-{stored.pk}/dicom/{victim_series.series_uid}"
    for hostile in (uid, targeted):
        files = _hostile_copies(axial[4:6], tmp_path / "hostile" / str(len(hostile)), hostile)
        study, _ = ingest_zip(attacker, "baseline", zip_files(files), coordinator)
        after = _tree(media)
        added = set(after) - set(before)
        own = study_folder(study).relative_to(media)
        assert added and all(Path(name).is_relative_to(own) for name in added), added
        assert {k: v for k, v in after.items() if k in before} == before  # nothing overwritten
        assert not (tmp_path / "x").exists() and not (media.parent / "x").exists()
        for series in study.series.all():
            assert series.series_uid.replace(".", "").isdigit() and len(series.series_uid) <= 64
        before = after
    assert len(list(series_folder(stored, victim_series).iterdir())) == 4


def test_a_pacs_study_with_hostile_uids_is_stored_inside_its_folder(
    media: Path, role_users: dict, two_participants: tuple, shared_data: Callable[[str], Path]
) -> None:
    """The PACS pull stores through the same function: the same names, the same checks."""
    participant, _ = two_participants
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())[:3]
    datasets = [pydicom.dcmread(p) for p in axial]
    for n, ds in enumerate(datasets):
        ds.SeriesInstanceUID = HOSTILE[0]
        ds.SOPInstanceUID = f"{HOSTILE[1]}{n}"
    study = create_upload_study(participant, "baseline", None, ImagingSource.ORTHANC)
    assert store_datasets(study, datasets) == 3
    files = list(study_folder(study).rglob("*.dcm"))
    assert len(files) == 3 and all(study_folder(study) in f.parents for f in files)
    assert study.series.get().pacs_series_uid == ""  # an invalid PACS UID is never used again


def test_a_refused_ingest_leaves_no_file_behind(
    media: Path, role_users: dict, two_participants: tuple, shared_data: Callable[[str], Path]
) -> None:
    participant, _ = two_participants
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())[:2]
    datasets = [pydicom.dcmread(p) for p in axial]
    datasets[1].StudyInstanceUID = "1.2.3.4"  # two studies in one upload: refused
    study = create_upload_study(participant, "baseline", None)
    with pytest.raises(ImagingError, match="different studies"):
        store_datasets(study, datasets)
    assert not list(media.rglob("*.dcm"))


def test_one_series_uploaded_for_two_participants_gives_two_runs_and_a_warning(
    reference_masks: Path, role_users: dict, two_participants: tuple,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    first, second = two_participants
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    data = zip_files(axial)
    coordinator = role_users["coordinator"]
    one, _ = ingest_zip(first, "baseline", data, coordinator)
    queue_pipeline(one.pk)
    one.refresh_from_db()
    first_run = one.runs.get()
    first_metrics = {(m.muscle, m.side, m.level, m.volume_mm3) for m in first_run.metrics.all()}
    assert one.status == StudyStatus.QC_PENDING and not one.warnings

    two, _ = ingest_zip(second, "week16", data, coordinator)
    queue_pipeline(two.pk)
    two.refresh_from_db()
    assert one.runs.count() == 1 and two.runs.count() == 1, "a run was shared"
    second_run = two.runs.get()
    assert second_run.pk != first_run.pk and second_run.study_id == two.pk
    assert two.status == StudyStatus.QC_PENDING, two.error
    assert {(m.muscle, m.side, m.level, m.volume_mm3) for m in first_run.metrics.all()} == (
        first_metrics
    )
    assert second_run.metrics.count() == first_run.metrics.count()
    assert any(f"already attached to {first.study_id}'s baseline study" in w for w in two.warnings)
    with pytest.raises(ImagingError, match="warnings to resolve"):
        decide(second_run, role_users["assessor"], approve=True)
    decide(second_run, role_users["assessor"], approve=True,
           reason="checked with the MRI unit: the scan is this participant's")  # fmt: skip
    assert ImagingStudy.objects.get(pk=two.pk).status == StudyStatus.APPROVED


def test_the_coordinator_is_told_at_upload(
    reference_masks: Path, role_users: dict, two_participants: tuple, client_for: Callable,
    shared_data: Callable[[str], Path],
) -> None:  # fmt: skip
    first, second = two_participants
    axial = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    ingest_zip(first, "baseline", zip_files(axial), role_users["coordinator"])
    client = client_for("coordinator")
    url = f"/participants/{second.study_id}/visits/baseline/mri/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("study.zip", zip_files(axial), "application/zip")
    response = client.post(url, {"kind": "dicom", "file": upload}, follow=True)
    text = response.content.decode().replace("&#x27;", "'")
    assert f"already attached to {first.study_id}'s baseline study" in text


def test_user_facing_errors_never_show_server_paths(
    media: Path, role_users: dict, two_participants: tuple, client_for: Callable,
    shared_data: Callable[[str], Path], settings,
) -> None:  # fmt: skip
    """A label map that is not NIfTI fails the study; the message names the file, not where the
    server keeps it (nibabel's own message carries the absolute path)."""
    from imaging.services.ingest import ingest_nifti
    from trial.redaction import without_server_paths

    participant, _ = two_participants
    image = shared_data("imaging/musclemap-lumbar-t2/image.nii.gz").read_bytes()
    study = ingest_nifti(participant, "baseline", image, b"not a label map", None)
    queue_pipeline(study.pk)
    study.refresh_from_db()
    assert study.status == StudyStatus.FAILED and "labels.nii.gz" in study.error
    page = client_for("coordinator").get(f"/imaging/{study.pk}/").content.decode()
    for secret in (str(settings.MEDIA_ROOT), str(media), tempfile.gettempdir(), "/work/"):
        assert secret not in study.error and secret not in page
    assert without_server_paths("read /srv/x/y/labels.nii.gz: bad") == "read labels.nii.gz: bad"
    assert without_server_paths("see https://example.org/a/b") == "see https://example.org/a/b"


def test_orthanc_ids_and_pacs_uids_are_validated_before_any_request() -> None:
    """An ID or UID from the PACS reaches a URL only once it has the expected form."""
    from imaging.pacs.orthanc import OrthancClient
    from imaging.services.pacs_ingest import require_study_uid

    client = OrthancClient("http://127.0.0.1:9")  # nothing listens: a request would fail
    with pytest.raises(ValueError, match="not an Orthanc resource ID"):
        client.stable_study("../../tools/reset")
    with pytest.raises(ImagingError, match="not a valid DICOM UID"):
        require_study_uid("1.2.3/../../studies")
    assert require_study_uid("1.2.840.113619.2.55") == "1.2.840.113619.2.55"
