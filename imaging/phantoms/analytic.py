"""Analytic phantoms: elliptic muscles with known area, volume and fat fraction.

Each muscle is an elliptic cylinder along the slice normal, with concentric inner ellipses of
other tissues (fat at the centre), so CSA = pi*a*b, the fat fraction of the fat core is r**2, and
the volume is CSA x number of slices x spacing. The stack may be oblique and have gaps between
slices (thickness < spacing): that changes the affine, not the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imaging.volume import Volume


@dataclass(frozen=True)
class Muscle:
    value: int
    centre_mm: tuple[float, float]  # in-plane offset from the slice centre (+x = patient left)
    semi_axes_mm: tuple[float, float]
    cores: tuple[tuple[float, float], ...] = ()  # (relative radius, intensity), outer to inner
    slices: tuple[int, int] | None = None  # first, last slice (inclusive); None = all

    @property
    def area_mm2(self) -> float:
        return float(np.pi * self.semi_axes_mm[0] * self.semi_axes_mm[1])

    def core_fraction(self, intensity: float) -> float:
        """Analytic area fraction of the core(s) drawn at ``intensity``."""
        radii = [r for r, _ in self.cores] + [0.0]
        return sum(
            radii[i] ** 2 - radii[i + 1] ** 2
            for i, (_, value) in enumerate(self.cores)
            if value == intensity
        )


def oblique_affine(
    spacing: tuple[float, float, float],
    tilt_deg: float,
    shape: tuple[int, ...],
) -> np.ndarray:
    """Affine (LPS) of a stack tilted about the patient's x axis, centred on the origin."""
    t = np.radians(tilt_deg)
    rotation = np.array([[1, 0, 0], [0, np.cos(t), -np.sin(t)], [0, np.sin(t), np.cos(t)]])
    affine = np.eye(4)
    affine[:3, :3] = rotation * np.array(spacing)
    centre = (np.array(shape[:3]) - 1) / 2
    affine[:3, 3] = -affine[:3, :3] @ centre
    return affine


def phantom(
    muscles: tuple[Muscle, ...],
    shape: tuple[int, int, int] = (200, 160, 12),
    spacing: tuple[float, float, float] = (0.5, 0.5, 4.0),
    tilt_deg: float = 0.0,
    muscle_intensity: float = 100.0,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[Volume, Volume]:
    """(image, labels) for the muscles; background 0, muscle ``muscle_intensity``."""
    nx, ny, nz = shape
    x = (np.arange(nx) - (nx - 1) / 2) * spacing[0]
    y = (np.arange(ny) - (ny - 1) / 2) * spacing[1]
    gx, gy = np.meshgrid(x, y, indexing="ij")
    image = np.zeros(shape, dtype=np.float32)
    labels = np.zeros(shape, dtype=np.uint8)
    for muscle in muscles:
        (cx, cy), (a, b) = muscle.centre_mm, muscle.semi_axes_mm
        radius = np.sqrt(((gx - cx) / a) ** 2 + ((gy - cy) / b) ** 2)
        plane = np.where(radius <= 1, muscle_intensity, 0.0)
        for relative, intensity in muscle.cores:
            plane = np.where(radius <= relative, intensity, plane)
        first, last = muscle.slices or (0, nz - 1)
        for k in range(first, last + 1):
            image[:, :, k] = np.where(radius <= 1, plane, image[:, :, k])
            labels[:, :, k][radius <= 1] = muscle.value
    if noise:
        image += np.random.default_rng(seed).normal(0, noise, shape).astype(np.float32)
    affine = oblique_affine(spacing, tilt_deg, shape)
    return Volume(image, affine, sha256="phantom"), Volume(labels, affine, sha256="phantom")
