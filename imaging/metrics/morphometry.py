"""Cross-sectional area per slice, in the acquired plane, and volume by summing slabs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from imaging.volume import Volume

# NIfTI headers hold the affine in float32: the same grid saved flipped or permuted differs in
# the 7th significant digit. Spacings are used to 0.01 micrometre so those copies measure alike.
SPACING_DECIMALS = 5


def measured_spacing(volume: Volume) -> tuple[float, float, float]:
    return tuple(round(s, SPACING_DECIMALS) for s in volume.spacing)  # type: ignore[return-value]


def pixel_area_mm2(volume: Volume) -> float:
    dx, dy, _ = measured_spacing(volume)
    return dx * dy


def slice_areas_mm2(mask: np.ndarray, volume: Volume) -> np.ndarray:
    """Area of the mask on every slice (canonical volume: slices along the last axis)."""
    return mask.sum(axis=(0, 1)).astype(float) * pixel_area_mm2(volume)


def volume_mm3(areas: np.ndarray, slice_spacing_mm: float, slices: Sequence[int]) -> float:
    """Σ CSA x centre-to-centre spacing: each slice stands for the slab up to its neighbours,
    so a gap between thin slices is counted as muscle (the usual convention, stated in output)."""
    return float(areas[list(slices)].sum() * slice_spacing_mm)


def erode_in_plane(mask: np.ndarray, voxels: int) -> np.ndarray:
    """Erode by ``voxels`` within each slice (4-connected), never across slices."""
    if voxels <= 0:
        return mask
    structure = np.zeros((3, 3, 3), dtype=bool)
    structure[:, :, 1] = ndimage.generate_binary_structure(2, 1)
    return ndimage.binary_erosion(mask, structure=structure, iterations=voxels)
