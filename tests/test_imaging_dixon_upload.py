"""Dixon through the web: a NIfTI image with its fat and water images, whose headers disagree as
real exports do, is refused with the difference named, and measured with Dixon fat fraction once
the uploader states they are one acquisition (recorded in the run's provenance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imaging.cli import main
from imaging.models import ImagingStudy, StudyStatus
from imaging.services.pipeline import run_folder
from trial.models import Participant

pytestmark = pytest.mark.django_db
DIXON = "imaging/myosegmentum-dixon"


def _files(shared_data: Callable, with_fat: bool = True) -> dict:
    water = shared_data(f"{DIXON}/TUM01_water.nii.gz").read_bytes()
    files = {"kind": "nifti", "file": SimpleUploadedFile("water.nii.gz", water)}
    if with_fat:
        fat = shared_data(f"{DIXON}/TUM01_fat.nii.gz").read_bytes()
        files["fat"] = SimpleUploadedFile("fat.nii.gz", fat)
        files["water"] = SimpleUploadedFile("water.nii.gz", water)
    return files


def test_a_dixon_pair_with_disagreeing_headers_needs_the_statement(
    role_users: dict, client_for: Callable, shared_data: Callable, settings, tmp_path: Path,
    capsys,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    participant = Participant.objects.order_by("pk").first()
    url = f"/participants/{participant.study_id}/visits/baseline/mri/"
    client = client_for("coordinator")
    refused = client.post(url, _files(shared_data)).content.decode()
    assert "origin 317.6 mm apart" in refused and "spacing" in refused
    assert not ImagingStudy.objects.exists()

    response = client.post(url, {**_files(shared_data), "same_acquisition": "on"})
    assert response.status_code == 302
    study = ImagingStudy.objects.get()
    assert study.status == StudyStatus.QC_PENDING, study.error
    run = study.runs.get()
    assert run.fat_method == "dixon" and run.result["provenance"]["same_acquisition_stated"]
    assert "origin" in run.result["provenance"]["grids_placed"][0]
    page = client_for("assessor").get(f"/imaging/runs/{run.pk}/").content.decode()
    assert 'data-testid="same-acquisition"' in page

    # The same masks measured on the command line give the same fat fractions.
    labels = run_folder(run) / "labels.nii.gz"
    table = tmp_path / "table.json"
    table.write_text(json.dumps(run.label_table))
    capsys.readouterr()
    water, fat = (
        shared_data(f"{DIXON}/TUM01_water.nii.gz"),
        shared_data(f"{DIXON}/TUM01_fat.nii.gz"),
    )
    assert main(["measure", "--image", str(water), "--labels", str(labels), "--label-table",
                 str(table), "--fat-method", "dixon", "--fat", str(fat), "--water", str(water),
                 "--same-acquisition", "--json"]) == 0  # fmt: skip
    cli = {(m["muscle"], m["side"]): m["fat_fraction_pct"]
           for m in json.loads(capsys.readouterr().out)["muscles"]}  # fmt: skip
    for metric in run.metrics.filter(level="all"):
        if metric.fat_fraction_pct is not None:
            assert metric.fat_fraction_pct == pytest.approx(cli[(metric.muscle, metric.side)],
                                                            abs=0.1)  # fmt: skip


def test_a_fat_image_without_water_is_refused(
    role_users: dict, client_for: Callable, shared_data: Callable
) -> None:
    participant = Participant.objects.order_by("pk").first()
    files = _files(shared_data, with_fat=False)
    files["fat"] = SimpleUploadedFile("fat.nii.gz", b"x")
    body = (
        client_for("coordinator")
        .post(f"/participants/{participant.study_id}/visits/baseline/mri/", files)
        .content.decode()
    )
    assert "needs both the fat and water image" in body and not ImagingStudy.objects.exists()
