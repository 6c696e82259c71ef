"""Lumbar-like axial MR phantoms with exact truth, for training and testing segmentation.

Each subject (one seed) is a stack of axial slices: body outline with subcutaneous fat, abdominal
tissue, vertebral body, spinal canal, spinous process, and multifidus and erector spinae on both
sides (MuscleMap abdomen label values: 1/2 multifidus right/left, 3/4 erector spinae right/left).
Muscles carry fat infiltration as bright speckle at a known fraction; coil shading (brighter near
the posterior spine coil) and Gaussian noise make it look acquired; stacks may be oblique and have
gaps between slices (the affine changes, the truth does not).

Arrays are canonical (index axes towards the patient's left, posterior, superior), so the truth
in mm² and % is computed on the very voxels that are drawn. No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from imaging.phantoms.analytic import oblique_affine
from imaging.volume import Volume

MF_RIGHT, MF_LEFT, ES_RIGHT, ES_LEFT = 1, 2, 3, 4
LABEL_NAMES = {
    MF_RIGHT: ("multifidus", "right"),
    MF_LEFT: ("multifidus", "left"),
    ES_RIGHT: ("erector_spinae", "right"),
    ES_LEFT: ("erector_spinae", "left"),
}
MUSCLE, FAT, TISSUE, BONE, CSF, CORTEX = 90.0, 330.0, 150.0, 200.0, 420.0, 40.0


@dataclass(frozen=True)
class LumbarPhantom:
    image: Volume
    labels: Volume
    fat_fraction_pct: dict[int, float]  # per label, over the whole stack
    csa_mm2: dict[int, list[float]]  # per label, per slice

    def truth(self) -> dict[str, object]:
        pixel = float(np.prod(self.image.spacing[:2]))
        return {
            "spacing_mm": list(self.image.spacing),
            "labels": [
                {"value": v, "muscle": LABEL_NAMES[v][0], "side": LABEL_NAMES[v][1],
                 "csa_mm2": self.csa_mm2[v], "fat_fraction_pct": self.fat_fraction_pct[v],
                 "volume_mm3": sum(self.csa_mm2[v]) * self.image.spacing[2],
                 "pixel_area_mm2": pixel}
                for v in LABEL_NAMES
            ],
        }  # fmt: skip


def _ellipse(x: np.ndarray, y: np.ndarray, cx: float, cy: float, a: float, b: float,
             angle: float = 0.0) -> np.ndarray:  # fmt: skip
    c, s = np.cos(angle), np.sin(angle)
    u, v = (x - cx) * c + (y - cy) * s, -(x - cx) * s + (y - cy) * c
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def _fascia(labels: np.ndarray, width_px: float) -> np.ndarray:
    """Each muscle's outer rim (at least one pixel, else ``width_px / 2``): together the rims
    draw the fascial planes between neighbouring muscles and around them, which a reader (and
    a network) follows rather than guessing a boundary from shape."""
    planes = np.zeros(labels.shape, bool)
    for value in LABEL_NAMES:
        inside = labels == value
        planes |= inside & (ndimage.distance_transform_edt(inside) <= max(1.0, width_px / 2))
    return planes


def lumbar_phantom(
    seed: int,
    slices: int = 12,
    pixel_mm: float | None = None,
    tilt_deg: float | None = None,
    gap_mm: float | None = None,
    noise: float | None = None,
) -> LumbarPhantom:
    """One subject; every anatomical and acquisition parameter is drawn from ``seed`` unless
    given."""
    rng = np.random.default_rng(seed)
    pixel = pixel_mm or float(rng.uniform(0.7, 1.4))
    tilt = tilt_deg if tilt_deg is not None else float(rng.uniform(-15, 15))
    thickness = float(rng.uniform(3.0, 4.5))
    spacing_z = thickness + (gap_mm if gap_mm is not None else float(rng.choice([0.0, 0.4, 1.0])))
    sigma = noise if noise is not None else float(rng.uniform(4, 14))
    fov_x, fov_y = float(rng.uniform(260, 320)), float(rng.uniform(200, 250))
    nx, ny = round(fov_x / pixel), round(fov_y / pixel)
    # Patient mm coordinates of pixel centres: x to the left, y posterior, body centre at y=-10.
    x = (np.arange(nx) - (nx - 1) / 2) * pixel
    y = (np.arange(ny) - (ny - 1) / 2) * pixel
    xx, yy = np.meshgrid(x, y, indexing="ij")

    body_a, body_b = rng.uniform(120, 145), rng.uniform(85, 105)
    fat_ring = rng.uniform(8, 25)
    spine_y = body_b - fat_ring - rng.uniform(68, 76)  # vertebral body (posterior: +y)
    shift = rng.uniform(-6, 6)  # the spine is not always centred
    # Semi-axes: from a bulky multifidus beside a small erector spinae (lower lumbar) to a thin
    # multifidus beside a large erector spinae (upper lumbar).
    mf = (rng.uniform(7, 14), rng.uniform(12, 19))
    es = (rng.uniform(18, 32), rng.uniform(16, 24))
    fascia = rng.uniform(0.8, 2.0)  # mm; bright fat planes between and around muscles
    fascia_intensity = rng.uniform(TISSUE, FAT)
    fat_target = {v: float(rng.uniform(0.04, 0.35)) for v in LABEL_NAMES}
    coil = rng.uniform(0.3, 0.7)

    image = np.zeros((nx, ny, slices), np.float32)
    labels = np.zeros((nx, ny, slices), np.uint8)
    fat_pixels = {v: 0 for v in LABEL_NAMES}
    muscle_pixels = {v: 0 for v in LABEL_NAMES}
    csa = {v: [] for v in LABEL_NAMES}
    for k in range(slices):
        grow = 1.0 + 0.15 * k / max(slices - 1, 1) * rng.uniform(0.6, 1.0)  # varies by level
        body = _ellipse(xx, yy, 0, 0, body_a, body_b)
        inner = _ellipse(xx, yy, 0, 0, body_a - fat_ring, body_b - fat_ring)
        plane = np.where(body, FAT, 0.0) + np.where(inner, TISSUE - FAT, 0.0)
        vertebra = _ellipse(xx, yy, shift, spine_y, 22, 16)
        canal_y = spine_y + 16 + 8
        canal = _ellipse(xx, yy, shift, canal_y, 9, 7)
        spinous = (np.abs(xx - shift) < 3.5) & (yy > canal_y + 6) & (yy < body_b - fat_ring - 3)
        mf_y = canal_y + 6 + mf[1] * grow
        slice_labels = np.zeros((nx, ny), np.uint8)
        for side, sign in ((ES_RIGHT, -1), (ES_LEFT, 1)):
            cx = shift + sign * (mf[0] * grow + 4 + es[0] * 0.8)
            slice_labels[_ellipse(xx, yy, cx, mf_y - 2, es[0], es[1], sign * 0.2) & inner] = side
        for side, sign in ((MF_RIGHT, -1), (MF_LEFT, 1)):
            cx = shift + sign * (mf[0] * grow + 4)
            shape = _ellipse(xx, yy, cx, mf_y, mf[0] * grow, mf[1] * grow, sign * 0.15)
            slice_labels[shape & inner & ~spinous] = side
        planes = _fascia(slice_labels, fascia / pixel)
        slice_labels[planes] = 0
        plane = np.where(planes, fascia_intensity, plane)
        plane = np.where(vertebra, BONE, plane)
        plane = np.where(canal, CSF, plane)
        plane = np.where(spinous | (vertebra & ~_ellipse(xx, yy, shift, spine_y, 19, 13)),
                         CORTEX, plane)  # fmt: skip
        for value in LABEL_NAMES:
            inside = slice_labels == value
            speckle = ndimage.gaussian_filter(rng.standard_normal((nx, ny)), 1.2 / pixel)
            threshold = np.quantile(speckle[inside], 1 - fat_target[value]) if inside.any() else 0
            fat = inside & (speckle > threshold)
            plane = np.where(inside, np.where(fat, FAT, MUSCLE), plane)
            fat_pixels[value] += int(fat.sum())
            muscle_pixels[value] += int(inside.sum())
            csa[value].append(float(inside.sum() * pixel * pixel))
        shading = 1.0 + coil * np.exp(-(body_b - yy) / 60.0)
        noisy = plane * shading + rng.normal(0, sigma, plane.shape)
        image[:, :, k] = np.abs(noisy)  # magnitude image
        labels[:, :, k] = slice_labels
    affine = oblique_affine((pixel, pixel, spacing_z), tilt, image.shape)
    fat_pct = {v: 100.0 * fat_pixels[v] / max(muscle_pixels[v], 1) for v in LABEL_NAMES}
    return LumbarPhantom(Volume(image, affine), Volume(labels, affine), fat_pct, csa)
