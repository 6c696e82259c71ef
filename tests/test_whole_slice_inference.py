"""Whole-slice inference (an option, not the default): slices of any size are padded to the
network's stride and cropped back, and on the shared series it stays close to the windowed
result (make bench reports the figures: about 4x faster, multifidus Dice 0.95-0.96, under the
0.98 a switch of the default would need)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings as django_settings

from imaging.io import load_image
from imaging.segmentation import InferenceSettings, load_model
from imaging.segmentation.infer import segment
from imaging.volume import Volume


def _model() -> object:
    config = Path(django_settings.IMAGING_MODEL_CONFIG)
    return load_model(config, config.with_suffix(".pth"))


def test_slices_of_any_size_come_back_on_their_own_grid() -> None:
    rng = np.random.default_rng(0)
    volume = Volume(rng.random((101, 87, 3)).astype(np.float32), np.diag([1.0, 1.0, 4.0, 1.0]))
    labels = segment(volume, _model(), InferenceSettings(whole_slices=True, threads=1))
    assert labels.shape == volume.array.shape and labels.dtype == np.uint8


def test_whole_slices_agree_with_the_windows_on_the_shared_series(
    shared_data: Callable,
) -> None:
    image = load_image(shared_data("imaging/musclemap-lumbar-t2/dicom"))
    model = _model()
    windows = segment(image, model, InferenceSettings(threads=1))
    whole = segment(image, model, InferenceSettings(whole_slices=True, threads=1))
    for label in (1, 2):  # multifidus, right and left
        a, b = windows == label, whole == label
        dice = 2 * (a & b).sum() / (a.sum() + b.sum())
        assert dice > 0.9, (label, dice)
