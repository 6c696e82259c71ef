"""Training augmentation for 2D slices: a random crop seen through a random rotation and
anisotropic scaling, a smooth multiplicative shading field, contrast, offset and noise.

Why: with one real subject and simple phantoms, a network learns where muscles usually are and
how big they are at the levels it saw; rotating and rescaling the view makes it read the fascia
instead, and shading mimics the posterior coil falloff of real lumbar MR. Left/right flips are
not done here: they need the side-label swap (see ``train.side_swap``).

The crop is sampled directly through the transform (only the output pixels are interpolated), so
augmentation costs little beside a training step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class Augmentation:
    rotate_degrees: float = 15.0
    scale: tuple[float, float] = (0.8, 1.25)  # per axis, drawn independently
    shading: float = 0.3  # a smooth field between 1 - shading and 1 + shading
    contrast: tuple[float, float] = (0.8, 1.25)
    offset: float = 0.3
    noise: float = 0.15  # largest noise sd (normalised units)

    @classmethod
    def none(cls) -> Augmentation:
        return cls(rotate_degrees=0.0, scale=(1.0, 1.0), shading=0.0, contrast=(1.0, 1.0),
                   offset=0.0, noise=0.0)  # fmt: skip


def view(
    image: np.ndarray,
    label: np.ndarray,
    centre: tuple[float, float],
    size: tuple[int, int],
    rng: np.random.Generator,
    augmentation: Augmentation,
    clusters: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """A ``size`` crop centred on ``centre`` (source pixels), rotated and scaled at random:
    bilinear for the image, nearest for the labels (and the cluster map, when given, returned
    third), background (0) outside the slice."""
    angle = np.deg2rad(rng.uniform(-augmentation.rotate_degrees, augmentation.rotate_degrees))
    scale = rng.uniform(*augmentation.scale, size=2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotation @ np.diag(1.0 / scale)  # output pixel -> source pixel
    offset = np.asarray(centre, dtype=float) - matrix @ (np.asarray(size, dtype=float) / 2)
    warped = ndimage.affine_transform(image, matrix, offset, output_shape=size, order=1)
    labels = ndimage.affine_transform(label, matrix, offset, output_shape=size, order=0)
    if clusters is None:
        return warped, labels
    return warped, labels, ndimage.affine_transform(clusters, matrix, offset, output_shape=size,
                                                    order=0)  # fmt: skip


def intensity(
    image: np.ndarray, rng: np.random.Generator, augmentation: Augmentation
) -> np.ndarray:
    """Shading, contrast, offset and noise on a z-normalised crop. A field ``f`` multiplying the
    raw intensities ``mu + sd * z`` gives ``z * f + (mu / sd) * (f - 1)`` after normalisation;
    ``mu / sd`` is drawn between 0.5 and 2 (muscle-to-fat contrast in T2 lumbar MR)."""
    if augmentation.shading:
        field = _smooth_field(image.shape, rng, augmentation.shading)
        image = image * field + rng.uniform(0.5, 2.0) * (field - 1.0)
    image = image * rng.uniform(*augmentation.contrast)
    image = image + rng.uniform(-augmentation.offset, augmentation.offset)
    if augmentation.noise:
        image = image + rng.normal(0, rng.uniform(0, augmentation.noise), image.shape)
    return image


def _smooth_field(shape: tuple[int, ...], rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A random plane-plus-quadratic field scaled into [1 - amplitude, 1 + amplitude]."""
    x, y = np.meshgrid(*(np.linspace(-1, 1, n) for n in shape), indexing="ij")
    terms = np.stack([x, y, x * x, y * y, x * y])
    field = np.tensordot(rng.normal(size=len(terms)), terms, axes=1)
    peak = np.abs(field).max()
    return 1.0 + amplitude * rng.uniform(0, 1) * field / peak if peak else np.ones(shape)
