"""The shared MuscleMap lumbar MR with its label map: NIfTI vs DICOM, flips, sides, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from imaging.io import load_image
from imaging.labels import MUSCLEMAP_ABDOMEN, load_label_table, parse_label_table
from imaging.metrics.measure import MeasureInputs, measure

FOLDER = "imaging/musclemap-lumbar-t2"


@pytest.fixture
def musclemap(shared_data: Callable[[str], Path]) -> dict[str, Path]:
    return {
        "image": shared_data(f"{FOLDER}/image.nii.gz"),
        "labels": shared_data(f"{FOLDER}/labels.nii.gz"),
        "dicom": shared_data(f"{FOLDER}/dicom"),
        "config": shared_data(f"{FOLDER}/musclemap_abdomen_model_config.json"),
    }


def _measure(image: Path, labels: Path, method: str = "gmm3") -> dict:
    return measure(
        MeasureInputs(
            image=load_image(image),
            labels=load_image(labels),
            table=MUSCLEMAP_ABDOMEN,
            fat_method=method,
        )
    ).to_json()


def _strip(result: dict) -> list[dict]:
    return result["muscles"]


def test_nifti_and_dicom_give_the_same_volumes(musclemap: dict[str, Path]) -> None:
    from_nifti = _measure(musclemap["image"], musclemap["labels"], "otsu")
    from_dicom = _measure(musclemap["dicom"], musclemap["labels"], "otsu")
    for a, b in zip(from_nifti["muscles"], from_dicom["muscles"], strict=True):
        assert (a["muscle"], a["side"]) == (b["muscle"], b["side"])
        assert a["volume_mm3"] > 10_000
        assert b["volume_mm3"] == pytest.approx(a["volume_mm3"], rel=0.005)
        # Same pixels, same masks: Otsu per slice gives the same fat fraction.
        assert b["fat_fraction_pct"] == pytest.approx(a["fat_fraction_pct"], abs=1e-6)
    assert from_dicom["image"]["notes"] == ["gap between slices: thickness 4 mm, spacing 4.4 mm"]
    assert from_nifti["qc_flags"] == from_dicom["qc_flags"] == []


def _resave(path: Path, out: Path, transform: Callable[[np.ndarray, np.ndarray], tuple]) -> Path:
    image = nib.load(str(path))
    array, affine = transform(np.asanyarray(image.dataobj), image.affine.copy())
    nib.save(nib.Nifti1Image(array, affine, header=None), str(out))
    return out


def _flip(axis: int) -> Callable[[np.ndarray, np.ndarray], tuple]:
    def transform(array: np.ndarray, affine: np.ndarray) -> tuple:
        n = array.shape[axis]
        affine[:3, 3] += affine[:3, axis] * (n - 1)
        affine[:3, axis] *= -1
        return np.flip(array, axis=axis).copy(), affine

    return transform


def _permute(order: tuple[int, int, int]) -> Callable[[np.ndarray, np.ndarray], tuple]:
    def transform(array: np.ndarray, affine: np.ndarray) -> tuple:
        out = affine.copy()
        out[:3, :3] = affine[:3, list(order)]
        return np.transpose(array, order).copy(), out

    return transform


@pytest.mark.parametrize(
    "transform",
    [_flip(0), _flip(1), _flip(2), _permute((1, 0, 2)), _permute((2, 0, 1))],
    ids=["flip-x", "flip-y", "flip-z", "swap-in-plane", "slices-first"],
)
def test_flipped_or_permuted_nifti_gives_identical_results(
    musclemap: dict[str, Path], tmp_path: Path, transform: Callable
) -> None:
    reference = _measure(musclemap["image"], musclemap["labels"])
    image = _resave(musclemap["image"], tmp_path / "image.nii.gz", transform)
    labels = _resave(musclemap["labels"], tmp_path / "labels.nii.gz", transform)
    assert np.asanyarray(nib.load(str(image)).dataobj).shape != (0,)
    assert _strip(_measure(image, labels)) == _strip(reference)


def test_side_labels_agree_with_patient_coordinates(musclemap: dict[str, Path]) -> None:
    table = load_label_table(musclemap["config"])
    assert table == MUSCLEMAP_ABDOMEN
    labels = load_image(musclemap["labels"]).canonical()
    array = labels.array
    for label in table:
        x = labels.patient_coordinates(np.argwhere(array == label.value).astype(float))[:, 0]
        # DICOM +x is the patient's left.
        assert (x.mean() > 0) == (label.side == "left") or abs(x.mean()) < 5
    swapped = json.loads(musclemap["config"].read_text())["labels"]
    for entry in swapped:
        entry["side"] = {"left": "right", "right": "left"}[entry["side"]]
    result = measure(
        MeasureInputs(
            image=load_image(musclemap["image"]),
            labels=labels,
            table=parse_label_table(swapped),
            fat_method="none",
        )
    )
    assert len([f for f in result.qc_flags if "check the label table" in f]) == 8


def test_command_line_prints_the_documented_json(
    musclemap: dict[str, Path], tmp_path: Path
) -> None:
    levels = tmp_path / "levels.json"
    image = load_image(musclemap["image"]).canonical()
    centre = image.patient_coordinates(np.array([[127.5, 103.5, 0.0]]))[0]
    normal = image.slice_normal
    # Two disc planes: L4-L5 above slice 9 and L5-S1 below slice 2 (4.4 mm spacing).
    levels.write_text(
        json.dumps(
            {
                "discs": {
                    "L4-L5": (centre + normal * 4.4 * 9.5).tolist(),
                    "L5-S1": (centre + normal * 4.4 * 1.5).tolist(),
                }
            }
        )
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "imaging",
            "measure",
            "--image",
            str(musclemap["dicom"]),
            "--labels",
            str(musclemap["labels"]),
            "--levels",
            str(levels),
            "--fat-method",
            "gmm3",
            "--erode",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(completed.stdout)
    assert set(result) >= {"image", "fat_method", "muscles"}
    assert result["image"]["shape"] == [256, 208, 20]
    assert result["image"]["spacing_mm"] == pytest.approx([0.9375, 0.9375, 4.4], abs=1e-3)
    assert len(result["image"]["sha256"]) == 64
    first = result["muscles"][0]
    assert set(first) >= {"muscle", "side", "volume_mm3", "fat_fraction_pct", "n_slices", "levels"}
    assert [lv["level"] for lv in first["levels"]] == ["L5"]
    level = first["levels"][0]
    assert level["n_slices"] == 8
    assert set(level) >= {"level", "csa_mm2", "mean_csa_mm2", "volume_mm3", "fat_fraction_pct"}
    assert 0 < level["fat_fraction_pct"] < 100
    assert level["volume_mm3"] == pytest.approx(level["mean_csa_mm2"] * 8 * 4.4, rel=1e-3)


def test_command_line_error_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(b"not a nifti file")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "imaging",
            "measure",
            "--image",
            str(broken),
            "--labels",
            str(broken),
        ],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: broken.nii.gz: not a readable NIfTI file")
    assert "Traceback" not in completed.stderr
