"""Dixon end to end from DICOM (issue 22): the real MyoSegmenTUM subject's water and fat images
written as two series of one acquisition (DERIVED\\PRIMARY\\DIXON\\WATER and ...\\FAT, as Siemens
and GE store them), uploaded through the MRI page. Selection pairs them and chooses the water
image; the CNN segments it; fat fraction is F/(F+W) on the model's masks, equal to the command
line's on the same files and masks; the provenance names both series and their SHA-256."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imaging.cli import main
from imaging.dicom.writer import write_dicom_series
from imaging.models import ImagingStudy, StudyStatus
from imaging.selection.rules import SeriesSummary, select_series
from imaging.services.storage import run_folder, series_folder
from imaging.volume import Volume, load_nifti
from tests.imaging_study import zip_files
from trial.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
DIXON = "imaging/myosegmentum-dixon"


def _dixon_series(folder: Path, shared_data: Callable) -> dict[str, list[Path]]:
    """Water and fat of TUM01 as two DICOM series on the water image's grid (one acquisition:
    its NIfTI headers disagree, the voxel arrays do not), plus an in-phase-like decoy. The
    series are cut to the back (the muscles and the spine, 256 x 256 voxels) to spare the test
    CPU; slices and geometry are the scan's own."""
    water = _back(load_nifti(shared_data(f"{DIXON}/TUM01_water.nii.gz")).canonical())
    fat = _back(load_nifti(shared_data(f"{DIXON}/TUM01_fat.nii.gz")).canonical())
    assert fat.shape == water.shape
    common = {"study_uid": "1.2.826.0.1.3680043.8.498.1", "EchoTime": 2.39,
              "RepetitionTime": 5.6,
              "frame_of_reference_uid": "1.2.826.0.1.3680043.8.498.2"}  # fmt: skip
    series = {}
    for role, volume, number in (("WATER", water, 5), ("FAT", water.with_array(fat.array), 6)):
        series[role.lower()] = write_dicom_series(
            volume, folder / role.lower(), ImageType=["DERIVED", "PRIMARY", "DIXON", role],
            SeriesDescription=f"t1_vibe_dixon_tra_{role[0]}", SeriesNumber=number, **common,
        )  # fmt: skip
    in_phase = water.with_array(water.array + fat.array)
    series["in_phase"] = write_dicom_series(
        in_phase, folder / "in_phase", ImageType=["ORIGINAL", "PRIMARY", "DIXON", "IN_PHASE"],
        SeriesDescription="t1_vibe_dixon_tra_in", SeriesNumber=7, **common,
    )  # fmt: skip
    return series


def _back(volume: Volume) -> Volume:
    """The 256 x 256 voxels around the canonical image's posterior midline, with its affine."""
    nx, ny, _nz = volume.shape
    i0, j0 = (nx - 256) // 2, ny - 256 - 24
    affine = volume.affine.copy()
    affine[:3, 3] = volume.patient_coordinates(np.array([[i0, j0, 0.0]]))[0]
    return Volume(np.ascontiguousarray(volume.array[i0 : i0 + 256, j0 : j0 + 256]), affine)


def test_a_dixon_dicom_study_is_segmented_on_water_and_measured_with_dixon_fat_fraction(
    role_users: dict, client_for: Callable, shared_data: Callable, settings, tmp_path: Path,
    capsys,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    files = _dixon_series(tmp_path / "dicom", shared_data)
    participant = Participant.objects.order_by("pk").first()
    upload = SimpleUploadedFile(
        "dixon.zip", zip_files([p for paths in files.values() for p in paths]), "application/zip"
    )
    page = f"/participants/{participant.study_id}/visits/baseline/mri/"
    assert (
        client_for("coordinator").post(page, {"kind": "dicom", "file": upload}).status_code == 302
    )
    study = ImagingStudy.objects.get()
    assert study.status == StudyStatus.QC_PENDING, study.error
    by_description = {s.description: s for s in study.series.all()}
    water, fat = by_description["t1_vibe_dixon_tra_W"], by_description["t1_vibe_dixon_tra_F"]
    assert water.chosen and water.role == "dixon-water" and fat.role == "dixon-fat"
    assert water.paired_series_uid == fat.series_uid and fat.paired_series_uid == water.series_uid
    assert "not T2-weighted" in " ".join(by_description["t1_vibe_dixon_tra_in"].reasons)
    run = study.runs.get()
    assert run.series_id == water.pk and run.fat_method == "dixon" and run.label_source == "model"
    provenance = run.result["provenance"]
    assert provenance["fat_source"] == fat.series_uid
    assert provenance["water_source"] == water.series_uid
    assert (
        len(provenance["fat_sha256"]) == 64
        and provenance["fat_sha256"] != (provenance["water_sha256"])
    )
    assert run.result["fat_parameters"]["erode_voxels"] == settings.IMAGING_ERODE_VOXELS
    # Disc planes were proposed on the pair's fat-fraction map.
    assert len(study.levels.proposed["discs"]) >= 1

    # The reader places two discs (the fixture's hand picks on this subject, as a levels file:
    # one re-measurement) and confirms.
    picks = json.loads((Path(__file__).parent / "fixtures" / "disc_picks.json").read_text())
    low, high = picks["myosegmentum-dixon-TUM01"]["disc_slices"]
    image = _back(load_nifti(shared_data(f"{DIXON}/TUM01_water.nii.gz")).canonical())
    centre = [(n - 1) / 2 for n in image.shape[:2]]
    discs = {name: image.patient_coordinates(np.array([[*centre, k]]))[0].round(3).tolist()
             for name, k in (("L4-L5", low), ("L3-L4", high))}  # fmt: skip
    reader = client_for("assessor")
    levels_file = SimpleUploadedFile("levels.json", json.dumps({"discs": discs}).encode())
    response = reader.post(f"/imaging/{study.pk}/levels/", {"levels": levels_file})
    assert response.status_code == 302
    assert reader.post(f"/imaging/{study.pk}/levels/", {"confirm": "1"}).status_code == 302
    run.refresh_from_db()
    web = {(m.muscle, m.side): m.fat_fraction_pct for m in run.metrics.filter(level="L4")}
    assert len(web) == 4 and all(v is not None for v in web.values())

    # The command line on the stored series and the run's masks gives the same L4 fat fractions.
    study.refresh_from_db()
    levels = tmp_path / "levels.json"
    levels.write_text(json.dumps({"discs": study.levels.discs}))
    table = tmp_path / "table.json"
    table.write_text(json.dumps(run.label_table))
    capsys.readouterr()
    assert main(["measure", "--image", str(series_folder(study, water)),
                 "--labels", str(run_folder(run) / "labels.nii.gz"), "--label-table", str(table),
                 "--levels", str(levels), "--fat-method", "dixon",
                 "--fat", str(series_folder(study, fat)),
                 "--water", str(series_folder(study, water)),
                 "--erode", str(settings.IMAGING_ERODE_VOXELS), "--json"]) == 0  # fmt: skip
    cli = json.loads(capsys.readouterr().out)
    for muscle in cli["muscles"]:
        l4 = next(level for level in muscle["levels"] if level["level"] == "L4")
        assert web[(muscle["muscle"], muscle["side"])] == pytest.approx(
            l4["fat_fraction_pct"], abs=0.1
        )
    review = reader.get(f"/imaging/runs/{run.pk}/").content.decode()
    assert "dixon" in review


def _summary(uid: str, image_type: tuple[str, ...], **values: object) -> SeriesSummary:
    base = {"series_uid": uid, "modality": "MR", "description": uid, "image_type": image_type,
            "instances": 20, "normal": (0.0, 0.0, 1.0), "pixel_spacing": (1.0, 1.0),
            "coverage_mm": 80.0, "frame_of_reference_uid": "1.2.3"}  # fmt: skip
    return SeriesSummary(**{**base, **values})


T2 = {"echo_time_ms": 100.0, "repetition_time_ms": 3000.0}
WATER = ("DERIVED", "PRIMARY", "DIXON", "WATER")
FAT = ("DERIVED", "PRIMARY", "DIXON", "FAT")


def test_a_dixon_pair_is_preferred_to_a_t2_and_a_derived_t2_is_still_refused() -> None:
    decisions = {d.series_uid: d for d in select_series([
        _summary("t2", ("ORIGINAL", "PRIMARY", "M"), **T2),
        _summary("water", WATER), _summary("fat", FAT),
        _summary("mpr", ("DERIVED", "PRIMARY", "MPR"), **T2),
    ])}  # fmt: skip
    assert decisions["water"].chosen and not decisions["t2"].chosen
    assert "reference method" in decisions["water"].reasons[-1]
    assert "Dixon pair" in decisions["t2"].reasons[-1]
    assert decisions["fat"].paired_series_uid == "water"
    assert not decisions["mpr"].eligible and "lacks ORIGINAL" in decisions["mpr"].reasons[0]


def test_dixon_maps_on_different_geometry_are_not_a_pair_and_the_t2_is_chosen() -> None:
    decisions = {d.series_uid: d for d in select_series([
        _summary("t2", ("ORIGINAL", "PRIMARY", "M"), **T2),
        _summary("water", WATER), _summary("fat", FAT, coverage_mm=60.0),
        _summary("other-frame", FAT, frame_of_reference_uid="9.9"),
        _summary("other-pixels", FAT, pixel_spacing=(0.8, 0.8)),
    ])}  # fmt: skip
    assert decisions["t2"].chosen and not decisions["water"].chosen
    assert not any(d.paired_series_uid for d in decisions.values())


def test_a_lone_water_map_without_t2_chooses_nothing() -> None:
    decisions = select_series([_summary("water", WATER)])
    assert not any(d.chosen for d in decisions)
