"""A lumbar spine phantom with exact disc planes, for testing disc-plane proposals.

The spine's centreline is a curve in the sagittal plane (lordosis: a parabola whose sagitta is a
parameter); vertebral bodies (27 mm) and discs (9 mm) alternate along its arc length, from the
sacrum (a wide bone below L5-S1) up to T12-L1. Each voxel of an axial stack (optionally tilted) is
classified from its position in the curve's local frame, so the truth is each disc's centre on
the centreline and its plane's normal (the curve's tangent). Contrasts: T2-like (disc brighter
than bone) and a Dixon fat-fraction-like map in % (fatty marrow 34 %, disc 6 %). No Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from imaging.metrics.levels import DISCS
from imaging.phantoms.analytic import oblique_affine
from imaging.volume import Volume

BODY_MM, DISC_MM = 27.0, 9.0
MF_RIGHT, MF_LEFT = 1, 2
CONTRASTS = {  # disc, bone, csf, tissue, muscle, fat
    "t2": (350.0, 200.0, 420.0, 150.0, 90.0, 330.0),
    "fat_fraction": (6.0, 34.0, 0.0, 10.0, 8.0, 90.0),
}


@dataclass(frozen=True)
class DiscTruth:
    name: str
    centre: np.ndarray  # LPS mm, on the centreline
    normal: np.ndarray  # unit, towards superior


@dataclass(frozen=True)
class SpinePhantom:
    image: Volume
    labels: Volume  # multifidus right 1, left 2 (MuscleMap abdomen values)
    discs: dict[str, DiscTruth]  # the discs inside the stack
    sacrum_in_view: bool
    sagittal: Volume | None = None  # a sagittal series of the same frame, when asked for
    sagittal_discs: dict[str, DiscTruth] | None = None  # the discs inside the sagittal series


class _Curve:
    """x = 0, y = y0 + a (z - zc)^2 (LPS mm), with arc length from the lowest disc."""

    def __init__(self, y0: float, a: float, zc: float, z_low: float) -> None:
        self.y0, self.a, self.zc = y0, a, zc
        self._grid = np.linspace(z_low - 200, z_low + 400, 6001)
        speed = np.sqrt(1 + (2 * a * (self._grid - zc)) ** 2)
        steps = np.diff(self._grid) * (speed[1:] + speed[:-1]) / 2
        arc = np.concatenate([[0.0], np.cumsum(steps)])
        self._arc = arc - np.interp(z_low, self._grid, arc)

    def point(self, z: np.ndarray) -> np.ndarray:
        return np.stack([np.zeros_like(z), self.y0 + self.a * (z - self.zc) ** 2, z], axis=-1)

    def tangent(self, z: np.ndarray) -> np.ndarray:
        t = np.stack([np.zeros_like(z), 2 * self.a * (z - self.zc), np.ones_like(z)], axis=-1)
        return t / np.linalg.norm(t, axis=-1, keepdims=True)

    def arc(self, z: np.ndarray) -> np.ndarray:
        return np.interp(z, self._grid, self._arc)

    def z_at_arc(self, s: float) -> float:
        return float(np.interp(s, self._arc, self._grid))

    def foot(self, p: np.ndarray) -> np.ndarray:
        """The curve parameter z whose normal plane holds each point (Newton, from p_z)."""
        u = p[..., 2].copy()
        for _ in range(6):
            g = 2 * self.a * (u - self.zc)
            dy = p[..., 1] - self.y0 - self.a * (u - self.zc) ** 2
            f = dy * g + (p[..., 2] - u)
            df = -(g**2) + dy * 2 * self.a - 1
            u = u - f / df
        return u


def spine_phantom(
    seed: int = 0,
    sagitta_mm: float = 0.0,
    tilt_deg: float = 0.0,
    sacrum: bool = True,
    contrast: str = "t2",
    slice_mm: float = 4.0,
    pixel_mm: float = 1.25,
    noise: float | None = None,
    sagittal_below_mm: float | None = None,
    lumbar_vertebrae: int = 5,
) -> SpinePhantom:
    """An axial stack from the sacrum (when ``sacrum``; else from mid-L4) to above T12-L1.

    ``sagittal_below_mm``: also a sagittal series (13 slices of 4 mm across the midline, 1 mm
    in plane) from that far below the L5-S1 disc to above T12-L1. ``lumbar_vertebrae`` 6: a
    lumbarised S1 (a transitional vertebra), one more disc, named L6-S1 at the bottom."""
    rng = np.random.default_rng(seed)
    span = lumbar_vertebrae * (BODY_MM + DISC_MM)  # the lowest disc to T12-L1 along the curve
    z_low = -span / 2 + float(rng.uniform(-5, 5))
    # Lordosis: the mid-lumbar spine most anterior (smallest y), its ends posterior.
    a = 4 * sagitta_mm / span**2  # the parabola's sagitta over the span
    curve = _Curve(y0=float(rng.uniform(20, 30)), a=a, zc=z_low + span / 2, z_low=z_low)
    names = list(reversed(DISCS)) if lumbar_vertebrae == 5 else ["L6-S1", *reversed(DISCS)]
    z_discs = [curve.z_at_arc(i * (BODY_MM + DISC_MM)) for i in range(len(names))]
    bottom = z_low - 35.0 if sacrum else z_low + 18.0  # mid-L5 body when no sacrum
    top = z_discs[-1] + 25.0
    nx, ny = 150, 176
    nz = int(np.ceil((top - bottom) / slice_mm)) + 1
    affine = oblique_affine((pixel_mm, pixel_mm, slice_mm), tilt_deg, (nx, ny, nz))
    affine[2, 3] += (top + bottom) / 2  # stack centred on the covered span
    affine[1, 3] += 20.0  # and on the spine, posterior of the body's centre
    sigma = noise if noise is not None else 0.04 * CONTRASTS[contrast][1]
    image, labels = _render(curve, contrast, affine, (nx, ny, nz), rng, sigma, len(names))
    truths = [DiscTruth(n, curve.point(np.array(z)), curve.tangent(np.array(z)))
              for n, z in zip(names, z_discs, strict=True)]  # fmt: skip
    sagittal = sagittal_truth = None
    if sagittal_below_mm is not None:
        sagittal, sagittal_truth = _sagittal(curve, contrast, z_low - sagittal_below_mm, top + 20,
                                             truths, rng, sigma)  # fmt: skip
    return SpinePhantom(image, labels, _inside(truths, image), sacrum, sagittal, sagittal_truth)


def _inside(truths: list[DiscTruth], volume: Volume) -> dict[str, DiscTruth]:
    """The discs with a slice of ``volume`` on either side."""
    inverse = np.linalg.inv(volume.affine)
    nz = volume.shape[2]
    return {t.name: t for t in truths if 1.0 < (inverse[:3, :3] @ t.centre + inverse[:3, 3])[2]
            < nz - 2.0}  # fmt: skip


def _sagittal(
    curve: _Curve, contrast: str, bottom: float, top: float, truths: list[DiscTruth],
    rng: np.random.Generator, sigma: float,
) -> tuple[Volume, dict[str, DiscTruth]]:  # fmt: skip
    """Sagittal slices (rows towards posterior, columns towards inferior, as scanners store
    them), centred on the midline."""
    nx, ny, nz = 13, 200, int(np.ceil(top - bottom)) + 1
    affine = np.eye(4)
    affine[:3, :3] = [[0, 0, 4.0], [1.0, 0, 0], [0, -1.0, 0]]
    affine[:3, 3] = [-24.0, -70.0, top]
    shape = (ny, nz, nx)  # (row index along y, column along -z, slice along x)
    image, _labels = _render(curve, contrast, affine, shape, rng, sigma, len(truths))
    volume = Volume(image.array, affine, sha256="spine-phantom-sagittal")
    return volume, _inside(truths, volume.canonical())


def _render(
    curve: _Curve, contrast: str, affine: np.ndarray, shape: tuple[int, int, int],
    rng: np.random.Generator, sigma: float, discs: int,
) -> tuple[Volume, Volume]:  # fmt: skip
    """Image and multifidus labels of the phantom on a grid (each voxel classified exactly)."""
    disc, bone, csf, tissue, muscle, fat = CONTRASTS[contrast]
    nx, ny, nz = shape
    ii, jj, kk = np.meshgrid(np.arange(nx), np.arange(ny), np.arange(nz), indexing="ij")
    p = np.stack([ii, jj, kk], axis=-1).reshape(-1, 3).astype(float) @ affine[:3, :3].T
    p += affine[:3, 3]
    u = curve.foot(p)
    offset = p - curve.point(u)
    t = curve.tangent(u)
    ap = np.stack([np.zeros_like(u), t[:, 2], -t[:, 1]], axis=-1)  # posterior, in the plane
    lx, ly = offset[:, 0], np.einsum("ij,ij->i", offset, ap)
    s = curve.arc(u)
    period = BODY_MM + DISC_MM
    phase = np.mod(s + DISC_MM / 2, period)
    in_disc = (phase < DISC_MM) & (s > -DISC_MM / 2) & (s < (discs - 1) * period + DISC_MM / 2)
    below = s <= -DISC_MM / 2
    body = (lx / 22) ** 2 + (ly / 16) ** 2 <= 1
    sacral = ((lx / 45) ** 2 + ((ly - 4) / 18) ** 2 <= 1) & below
    canal = ((lx / 9) ** 2 + ((ly - 27) / 7) ** 2 <= 1) & ~below
    mf_r = ((lx + 14) / 10) ** 2 + ((ly - 52) / 14) ** 2 <= 1
    mf_l = ((lx - 14) / 10) ** 2 + ((ly - 52) / 14) ** 2 <= 1
    outline = (p[:, 0] / 125) ** 2 + ((p[:, 1] - 5) / 95) ** 2 <= 1
    inner = (p[:, 0] / 110) ** 2 + ((p[:, 1] - 5) / 80) ** 2 <= 1
    image = np.where(outline, fat, 0.0)
    image = np.where(inner, tissue, image)
    image = np.where(mf_r | mf_l, muscle, image)
    image = np.where(canal, csf, image)
    image = np.where(sacral | (body & ~below), bone, image)
    image = np.where(body & in_disc, disc, image)
    image = image + rng.normal(0, sigma, image.shape)
    labels = np.where(mf_r, MF_RIGHT, np.where(mf_l, MF_LEFT, 0)).astype(np.uint8)
    return (
        Volume(np.abs(image).reshape(shape).astype(np.float32), affine, sha256="spine-phantom"),
        Volume(labels.reshape(shape), affine, sha256="spine-phantom"),
    )
