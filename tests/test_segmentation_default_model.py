"""The shipped default model meets the issue's accuracy targets, measured here through
``python -m imaging evaluate`` at the pipeline's inference settings, and its model card states
the same figures: multifidus Dice >= 0.95 on phantoms it never trained on (seeds 3000-3009;
training used 1000-1023 and validation 2000-2001), and >= 0.85 on the held-out superior slices
of the shared real sample (one subject)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from imaging.cli import main
from imaging.io import load_image
from imaging.segmentation.default import build
from imaging.volume import Volume, save_nifti

TRAIN_REAL_SLICES = range(0, 13)  # the first default model's inferior training block
TEST_REAL_SLICES = range(14, 20)  # its superior held-out block


def _cut(volume: Volume, slices: range) -> Volume:
    import numpy as np

    canonical = volume.canonical()
    affine = canonical.affine.copy()
    affine[:3, 3] += affine[:3, 2] * slices.start
    return Volume(np.ascontiguousarray(canonical.array[:, :, slices.start : slices.stop]), affine)


def real_split(shared: Path, work: Path) -> None:
    for name, slices in (("real-train", TRAIN_REAL_SLICES), ("real-test", TEST_REAL_SLICES)):
        for kind, file in (("images", "image"), ("labels", "labels")):
            folder = work / name / kind
            folder.mkdir(parents=True, exist_ok=True)
            volume = load_image(shared / "imaging/musclemap-lumbar-t2" / f"{file}.nii.gz")
            save_nifti(_cut(volume, slices), folder / "musclemap_sample.nii.gz")


MODEL = build.HERE / "model.json"
MULTIFIDUS = ("multifidus_right", "multifidus_left")


def _evaluate(images: Path, labels: Path, capsys) -> dict:
    capsys.readouterr()
    args = ["evaluate", "--model", str(MODEL), "--images", str(images), "--labels", str(labels),
            "--json"]  # fmt: skip
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)["mean"]


def _card_figures(data: str) -> dict:
    evaluation = json.loads(MODEL.read_text())["evaluation"]
    return next(figures for name, figures in evaluation.items() if name.startswith(data))


def test_default_model_on_unseen_phantoms(tmp_path: Path, capsys) -> None:
    assert main(["phantom", "--out", str(tmp_path), "--n", "10", "--seed", "3000"]) == 0
    measured = _evaluate(tmp_path / "images", tmp_path / "labels", capsys)
    stated = _card_figures("phantoms")
    for label in MULTIFIDUS:
        assert measured[label]["dice"] >= 0.95, (label, measured[label])
        assert measured[label]["dice"] == pytest.approx(stated[label]["dice"], abs=0.005)


def test_default_model_on_held_out_real_slices(
    tmp_path: Path, capsys, shared_data: Callable
) -> None:
    shared = shared_data("imaging/musclemap-lumbar-t2").parents[1]
    real_split(shared, tmp_path)
    measured = _evaluate(tmp_path / "real-test/images", tmp_path / "real-test/labels", capsys)
    stated = _card_figures("real MuscleMap sample")
    for label in MULTIFIDUS:
        assert measured[label]["dice"] >= 0.85, (label, measured[label])
        assert measured[label]["dice"] == pytest.approx(stated[label]["dice"], abs=0.005)
    # The split is honest: the held-out slices were not among the training slices.
    assert not set(TRAIN_REAL_SLICES) & set(TEST_REAL_SLICES)
