"""Uploading a study through the visit's MRI page: a zip or a DICOM folder (every file sent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imaging.models import ImagingStudy, StudyStatus
from trial.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _folder_files(shared_data: Callable[[str], Path]) -> list[SimpleUploadedFile]:
    series = sorted(shared_data("imaging/musclemap-lumbar-t2/dicom").iterdir())
    files = [SimpleUploadedFile(f"CD/DICOM/{p.name}", p.read_bytes()) for p in series]
    # What CD exports carry beside the images: a viewer's readme, which must be ignored.
    files.append(SimpleUploadedFile("CD/README.TXT", b"Open with the viewer on this disc."))
    return files


def test_a_dicom_folder_upload_is_pseudonymised_and_processed(
    reference_masks: Path, role_users: dict, client_for: Callable, shared_data: Callable
) -> None:
    participant = Participant.objects.order_by("pk").first()
    client = client_for("coordinator")
    url = f"/participants/{participant.study_id}/visits/baseline/mri/"
    files = _folder_files(shared_data)
    response = client.post(url, {"kind": "folder", "folder": files})
    study = ImagingStudy.objects.get(participant=participant)
    assert response.status_code == 302 and response["Location"] == f"/imaging/{study.pk}/"
    assert study.files == len(files) - 1  # the readme is not an image
    assert study.status == StudyStatus.QC_PENDING, study.error
    assert study.chosen_series.instances == len(files) - 1
    run = study.runs.get()
    assert run.metrics.filter(muscle="multifidus", level="all").count() == 2


def test_a_folder_without_dicom_says_so_and_creates_nothing(
    reference_masks: Path, role_users: dict, client_for: Callable
) -> None:
    participant = Participant.objects.order_by("pk").first()
    client = client_for("coordinator")
    url = f"/participants/{participant.study_id}/visits/baseline/mri/"
    files = [SimpleUploadedFile("notes.txt", b"not an image"), SimpleUploadedFile("a.jpg", b"\xff")]
    response = client.post(url, {"kind": "folder", "folder": files})
    assert response.status_code == 200
    assert "no DICOM image among the files (2 other file(s): notes.txt, a.jpg)" in (
        response.content.decode()
    )
    assert not ImagingStudy.objects.exists()
    response = client.post(url, {"kind": "folder"})
    assert "Choose the folder that holds the DICOM files." in response.content.decode()
    assert not ImagingStudy.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "larger than 64 KB"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not JSON"),
    ],
    ids=["huge", "deep", "not an object", "not text"],
)
def test_a_hostile_levels_file_is_refused_by_name(data: bytes, message: str) -> None:
    from imaging.errors import ImagingError
    from imaging.services.review import levels_from_json

    with pytest.raises(ImagingError, match=message):
        levels_from_json(data)
