"""Disc proposals from a sagittal series of the axial stack's frame of reference (issue 22): on
spine phantoms whose sagittal series sees the sacrum, every disc within 2 mm and 5 degrees of
the truth and named from the sacrum, even when the axial stack does not reach it; not named when
the sagittal series does not see the sacrum either; a lumbarised S1 flagged. Through the
pipeline, a DICOM study whose axial stack misses the sacrum gets named proposals from its
sagittal series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from imaging.dicom.writer import write_dicom_series
from imaging.metrics.sagittal_discs import propose_from_sagittal
from imaging.models import ImagingStudy, StudyStatus
from imaging.phantoms.spine import spine_phantom
from imaging.services.ingest import ingest_zip
from imaging.tasks import queue_pipeline
from imaging.volume import save_nifti
from tests.imaging_study import zip_files
from trial.models import Participant

CASES = {
    "straight": {},
    "lordosis": {"sagitta_mm": 12},
    "lordosis, oblique axial stack": {"sagitta_mm": 12, "tilt_deg": 10},
    "Dixon fat fraction": {"contrast": "fat_fraction", "sagitta_mm": 8},
    "axial stack without the sacrum": {"sacrum": False, "sagitta_mm": 8},
}


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(min(1.0, abs(float(a @ b))))))


@pytest.mark.parametrize("case", list(CASES))
def test_the_sagittal_series_names_every_disc_within_2_mm_and_5_degrees(case: str) -> None:
    phantom = spine_phantom(1, sagittal_below_mm=80, **CASES[case])
    result = propose_from_sagittal(phantom.sagittal, phantom.labels)
    assert result.sacrum_in_view and result.problems == (), result.problems
    assert "sacrum" in result.naming
    assert [d.name for d in result.discs] == list(phantom.sagittal_discs)  # L5-S1 to T12-L1
    for proposal in result.discs:
        truth = phantom.sagittal_discs[proposal.name]
        assert np.linalg.norm(proposal.centre - truth.centre) <= 2.0, (case, proposal.name)
        assert _angle_deg(proposal.normal, truth.normal) <= 5.0, (case, proposal.name)


def test_without_the_sacrum_in_the_sagittal_series_nothing_is_named() -> None:
    phantom = spine_phantom(2, sagittal_below_mm=10, sagitta_mm=6)
    result = propose_from_sagittal(phantom.sagittal, phantom.labels)
    assert not result.sacrum_in_view and "not named" in result.naming
    assert len(result.discs) == len(phantom.sagittal_discs)
    assert all(d.name is None for d in result.discs)


def test_a_lumbarised_s1_is_flagged_as_a_possible_transitional_vertebra() -> None:
    phantom = spine_phantom(3, sagittal_below_mm=80, lumbar_vertebrae=6, sagitta_mm=10)
    result = propose_from_sagittal(phantom.sagittal, phantom.labels)
    assert len(result.discs) == 7
    assert any("transitional vertebra" in problem for problem in result.problems)


def test_a_sagittal_series_off_the_midline_proposes_nothing_and_says_so() -> None:
    phantom = spine_phantom(4, sagittal_below_mm=80)
    shifted = phantom.sagittal.affine.copy()
    shifted[0, 3] += 200.0  # 200 mm to the left: the multifidus' midline is not in it
    moved = phantom.sagittal.__class__(phantom.sagittal.array, shifted)
    result = propose_from_sagittal(moved, phantom.labels)
    assert result.discs == () and "midline" in result.naming


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_study_whose_axial_stack_misses_the_sacrum_is_named_from_its_sagittal_series(
    role_users: dict, settings, tmp_path: Path
) -> None:
    phantom = spine_phantom(5, sacrum=False, sagitta_mm=10, sagittal_below_mm=80)
    masks = tmp_path / "masks"
    masks.mkdir()
    save_nifti(phantom.labels.canonical(), masks / "phantom.nii.gz")
    settings.IMAGING_SEGMENTER = "reference"
    settings.IMAGING_REFERENCE_MASKS_DIR = str(masks)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    common = {"study_uid": "1.2.826.0.1.3680043.8.498.11",
              "frame_of_reference_uid": "1.2.826.0.1.3680043.8.498.12",
              "EchoTime": 100.0, "RepetitionTime": 3000.0}  # fmt: skip
    axial = write_dicom_series(
        phantom.image, tmp_path / "axial", SeriesDescription="t2_tse_tra", SeriesNumber=4, **common
    )
    sagittal = write_dicom_series(
        phantom.sagittal, tmp_path / "sag", SeriesDescription="t2_tse_sag", SeriesNumber=2, **common
    )
    participant = Participant.objects.order_by("pk").first()
    study, _ = ingest_zip(
        participant, "baseline", zip_files(axial + sagittal), role_users["coordinator"]
    )
    queue_pipeline(study.pk)
    study = ImagingStudy.objects.get(pk=study.pk)
    assert study.status == StudyStatus.QC_PENDING, study.error
    roles = {s.description: s.role for s in study.series.all()}
    assert roles == {"t2_tse_tra": "t2", "t2_tse_sag": "sagittal"}
    proposed = study.levels.proposed
    assert proposed["source"] == "the sagittal series t2_tse_sag"
    assert "sacrum is not in view" in " ".join(proposed["problems"])  # the axial stack's own
    names = [d["name"] for d in proposed["discs"]]
    assert names == list(phantom.sagittal_discs)
    for disc in proposed["discs"]:
        truth = phantom.sagittal_discs[disc["name"]]
        assert np.linalg.norm(np.array(disc["centre"]) - truth.centre) <= 2.0
    # Named discs give per-level metrics, provisional until the reader confirms them.
    assert set(study.levels.discs) == set(names) and not study.levels.confirmed
    levels = set(study.runs.get().metrics.values_list("level", flat=True))
    assert {"L1", "L2", "L3", "L4", "L5", "L1-L5"} <= levels
