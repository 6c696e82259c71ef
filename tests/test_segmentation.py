"""Segmentation with a MuscleMap-format model: the shared abdomen config's architecture with
untrained weights segments the shared DICOM series and its NIfTI to identical labels; ``run``
gives the same metrics whatever the axis order of the stored image; clear errors for weights that
are missing or do not fit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import torch

from imaging.cli import main
from imaging.io import load_image
from tests.test_imaging_musclemap import FOLDER, _flip, _permute, _resave

FAST = ["--overlap", "0", "--random-weights", "7"]


@pytest.fixture
def musclemap(shared_data: Callable[[str], Path]) -> dict[str, Path]:
    return {
        "image": shared_data(f"{FOLDER}/image.nii.gz"),
        "dicom": shared_data(f"{FOLDER}/dicom"),
        "config": shared_data(f"{FOLDER}/musclemap_abdomen_model_config.json"),
    }


@pytest.fixture
def small_config(musclemap: dict[str, Path], tmp_path: Path) -> Path:
    """The shared config with narrower channels: equivariance does not depend on the width."""
    document = json.loads(musclemap["config"].read_text())
    document["model"]["channels"] = [8, 16, 32, 64, 128]
    path = tmp_path / "small.json"
    path.write_text(json.dumps(document))
    return path


def _segment(image: Path, config: Path, out: Path, capsys, *extra: str) -> dict:
    assert main(["segment", "--image", str(image), "--model", str(config), "--out", str(out),
                 "--overlap", "0.25", "--random-weights", "7", *extra]) == 0  # fmt: skip
    return json.loads(capsys.readouterr().out)


def test_random_model_labels_dicom_and_nifti_identically(
    musclemap: dict[str, Path], tmp_path: Path, capsys
) -> None:
    from_nifti = _segment(musclemap["image"], musclemap["config"], tmp_path / "n.nii.gz", capsys)
    from_dicom = _segment(musclemap["dicom"], musclemap["config"], tmp_path / "d.nii.gz", capsys)
    assert from_nifti["model"] == from_dicom["model"] and len(from_nifti["model"]["sha256"]) == 64
    # The output lies on the input's own grid ...
    image, labels = nib.load(str(musclemap["image"])), nib.load(str(tmp_path / "n.nii.gz"))
    assert labels.shape == image.shape and np.allclose(labels.affine, image.affine, atol=1e-4)
    # ... and the same acquisition gives the same labels, voxel for voxel.
    a = load_image(tmp_path / "n.nii.gz").canonical().array
    b = load_image(tmp_path / "d.nii.gz").canonical().array
    assert a.shape == b.shape and np.array_equal(a, b)
    assert len(np.unique(a)) > 2  # untrained, but it does label something


def test_run_gives_the_same_metrics_whatever_the_axis_order(
    musclemap: dict[str, Path], small_config: Path, tmp_path: Path, capsys
) -> None:
    def run(image: Path) -> dict:
        args = ["run", "--image", str(image), "--model", str(small_config), *FAST]
        assert main([*args, "--fat-method", "otsu", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    reference = run(musclemap["image"])
    rows = {(m["muscle"], m["side"]): m for m in reference["muscles"]}
    assert rows and reference["model"]["overlap"] == 0
    stored = [
        _resave(musclemap["image"], tmp_path / "flipped.nii.gz", _flip(0)),
        _resave(musclemap["image"], tmp_path / "slices-first.nii.gz", _permute((2, 0, 1))),
        musclemap["dicom"],
    ]
    for image in stored:
        other = run(image)
        assert other["model"]["sha256"] == reference["model"]["sha256"]
        for row in other["muscles"]:
            expected = rows[(row["muscle"], row["side"])]
            assert row["volume_mm3"] == pytest.approx(expected["volume_mm3"], rel=0.005), image
            if expected["fat_fraction_pct"] is not None:
                assert row["fat_fraction_pct"] == pytest.approx(
                    expected["fat_fraction_pct"], abs=0.5
                )


def test_weights_that_do_not_fit_or_are_missing_are_refused(
    musclemap: dict[str, Path], tmp_path: Path, capsys
) -> None:
    wrong = tmp_path / "wrong.pth"
    torch.save({"conv.weight": torch.zeros(3)}, wrong)
    args = ["segment", "--image", str(musclemap["image"]), "--model", str(musclemap["config"])]
    assert main([*args, "--weights", str(wrong), "--out", str(tmp_path / "x.nii.gz")]) == 2
    assert "do not fit the architecture" in capsys.readouterr().err
    assert main([*args, "--out", str(tmp_path / "x.nii.gz")]) == 2  # no .pth beside the config
    assert "model weights" in capsys.readouterr().err
    assert not (tmp_path / "x.nii.gz").exists()
    three_d = json.loads(musclemap["config"].read_text())
    three_d["model"]["spatial_dims"] = 3
    (tmp_path / "3d.json").write_text(json.dumps(three_d))
    args[args.index(str(musclemap["config"]))] = str(tmp_path / "3d.json")
    assert main([*args, "--random-weights", "1", "--out", str(tmp_path / "x.nii.gz")]) == 2
    assert "only 2D" in capsys.readouterr().err


def test_inference_threads_follow_the_workers_cpu_mask() -> None:
    """A worker pinned to one core runs inference on one thread (not the machine's count)."""
    code = (
        "import os, torch\n"
        "os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})\n"
        "from imaging.phantoms.lumbar import lumbar_phantom\n"
        "from imaging.segmentation import InferenceSettings, load_model\n"
        "from imaging.segmentation.infer import segment\n"
        "from imaging.segmentation.default.build import HERE\n"
        "torch.set_num_threads(4)\n"
        "model = load_model(HERE / 'model.json', HERE / 'model.pth')\n"
        "segment(lumbar_phantom(2, slices=2).image, model, InferenceSettings(overlap=0))\n"
        "print(torch.get_num_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}  # the mask decides
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[1], env=env)  # fmt: skip
    assert result.stdout.split()[-1] == "1"
