"""Training augmentation, the learning-rate schedule and the phantoms' fascial planes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from imaging.phantoms.lumbar import ES_LEFT, FAT, MF_LEFT, MUSCLE, lumbar_phantom
from imaging.segmentation.augment import Augmentation, intensity, view
from imaging.segmentation.train import learning_rate


def _disk(shape: tuple[int, int], centre: tuple[int, int], radius: float) -> np.ndarray:
    x, y = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    return ((x - centre[0]) ** 2 + (y - centre[1]) ** 2 <= radius**2).astype(np.int64)


def test_no_augmentation_is_the_plain_crop_with_zeros_outside() -> None:
    rng = np.random.default_rng(0)
    image = rng.normal(size=(50, 40)).astype(np.float32)
    label = rng.integers(0, 5, size=(50, 40))
    crop, labels = view(image, label, (10.0, 30.0), (24, 24), rng, Augmentation.none())
    # The window starts at (-2, 18): two rows above the slice, two columns past its edge.
    assert np.array_equal(crop[2:, :22], image[0:22, 18:40])
    assert np.array_equal(labels[2:, :22], label[0:22, 18:40])
    assert not crop[:2].any() and not crop[:, 22:].any()
    assert not labels[:2].any() and not labels[:, 22:].any()


def test_scaling_changes_the_area_and_keeps_label_values() -> None:
    rng = np.random.default_rng(1)
    label = _disk((120, 120), (60, 60), 20) * 3
    image = label.astype(np.float32)
    double = Augmentation(rotate_degrees=0.0, scale=(2.0, 2.0))
    _, labels = view(image, label, (60.0, 60.0), (100, 100), rng, double)
    assert set(np.unique(labels)) == {0, 3}  # nearest neighbour: no blended label values
    ratio = (labels == 3).sum() / (label == 3).sum()
    assert 3.8 < ratio < 4.2
    rotated = Augmentation(rotate_degrees=45.0, scale=(1.0, 1.0))
    _, labels = view(image, label, (60.0, 60.0), (100, 100), rng, rotated)
    assert abs((labels == 3).sum() / (label == 3).sum() - 1) < 0.03  # a disk turns into itself


def test_rotation_turns_the_view() -> None:
    rng = np.random.default_rng(2)
    label = np.zeros((80, 80), np.int64)
    label[20:60, 38:42] = 1  # a bar along x
    turned = Augmentation(rotate_degrees=90.0, scale=(1.0, 1.0))
    angles = []
    for _ in range(20):
        _, labels = view(label.astype(np.float32), label, (40.0, 40.0), (80, 80), rng, turned)
        points = np.argwhere(labels == 1) - 40
        _, _, axes = np.linalg.svd(points - points.mean(axis=0))
        angles.append(np.degrees(np.arctan2(axes[0, 1], axes[0, 0])) % 180)
    assert max(min(a, 180 - a) for a in angles) > 30  # some views are well turned from x


def test_intensity_shading_is_smooth_and_bounded() -> None:
    rng = np.random.default_rng(3)
    flat = np.zeros((64, 64), np.float32)
    only_shading = Augmentation(shading=0.3, contrast=(1.0, 1.0), offset=0.0, noise=0.0)
    shaded = intensity(flat, rng, only_shading)
    assert np.abs(shaded).max() <= 0.3 * 2.0 + 1e-6  # (mu / sd) * (f - 1), mu / sd <= 2
    assert np.abs(np.diff(shaded, axis=0)).max() < 0.05  # a field, not noise


@pytest.mark.parametrize("progress", [0.0, 0.5, 1.0])
def test_cosine_learning_rate(progress: float) -> None:
    expected = {0.0: 1e-3, 0.5: 1e-3 * 0.525, 1.0: 1e-3 * 0.05}[progress]
    assert learning_rate(1e-3, progress) == pytest.approx(expected)
    assert learning_rate(1e-3, 2.0) == pytest.approx(5e-5)


def test_phantom_muscles_are_separated_by_a_bright_fascial_plane() -> None:
    phantom = lumbar_phantom(1000, slices=3)
    labels, image = phantom.labels.array, phantom.image.array
    for axis in (0, 1):
        neighbour = np.roll(labels, 1, axis=axis)
        assert not ((labels == MF_LEFT) & (neighbour == ES_LEFT)).any()
        assert not ((labels == ES_LEFT) & (neighbour == MF_LEFT)).any()
    to_mf = ndimage.distance_transform_edt(labels != MF_LEFT)
    to_es = ndimage.distance_transform_edt(labels != ES_LEFT)
    between = (labels == 0) & (to_mf <= 3) & (to_es <= 3)
    assert between.sum() > 10  # the plane exists between the two muscles
    assert image[between].mean() > MUSCLE * 1.2  # brighter than muscle (between tissue and fat)
    assert image[between].mean() < FAT * 2.0
