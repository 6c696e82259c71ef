"""Vertebral levels from disc positions: Lk = slices whose centre lies between two disc planes.

The planes are perpendicular to the slice normal and pass through the disc above and the disc
below, so on an oblique stack a level is still a whole number of acquired slices (no resampling).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from imaging.errors import ImagingError
from imaging.volume import Volume

DISCS = ("T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
LEVELS = ("L1", "L2", "L3", "L4", "L5")


@dataclass(frozen=True)
class Level:
    name: str
    slices: tuple[int, ...]  # canonical slice indices, caudal to cranial
    mid_slice: int | None  # the slice nearest the level's mid-point
    lower_mm: float  # disc below, along the normal
    upper_mm: float  # disc above, along the normal


def discs_bounding(levels: tuple[str, ...]) -> tuple[str, ...]:
    """The discs above and below each of ``levels``, caudal to cranial (L5-S1 first)."""
    indices = sorted(
        {i for level in levels for i in (LEVELS.index(level), LEVELS.index(level) + 1)}
    )
    return tuple(DISCS[i] for i in reversed(indices))


def parse_discs(document: object) -> dict[str, np.ndarray]:
    """``{"discs": {"L4-L5": [x, y, z], ...}}`` (LPS mm) to validated points."""
    if not isinstance(document, dict) or not isinstance(document.get("discs"), dict):
        raise ImagingError('levels: expected {"discs": {"L4-L5": [x, y, z], ...}}')
    discs = {}
    for name, point in document["discs"].items():
        if name not in DISCS:
            raise ImagingError(f"levels: unknown disc {name!r}; known: {', '.join(DISCS)}")
        try:
            values = np.array([float(v) for v in point], dtype=float)
        except (TypeError, ValueError) as error:
            raise ImagingError(f"levels: disc {name} is not three numbers") from error
        if values.shape != (3,) or not np.isfinite(values).all():
            raise ImagingError(f"levels: disc {name} is not three finite numbers")
        discs[name] = values
    return discs


def slice_centres_mm(volume: Volume) -> np.ndarray:
    """Each slice centre's coordinate along the slice normal (canonical volume)."""
    nx, ny, nz = volume.shape
    centres = np.array([[(nx - 1) / 2, (ny - 1) / 2, k] for k in range(nz)], dtype=float)
    return volume.patient_coordinates(centres) @ volume.slice_normal


def assign_levels(volume: Volume, discs: dict[str, np.ndarray]) -> list[Level]:
    """The levels both of whose discs are given; disc order is checked against the normal."""
    normal = volume.slice_normal
    along = {name: float(point @ normal) for name, point in discs.items()}
    ordered = [name for name in DISCS if name in along]
    for upper, lower in pairwise(ordered):
        if along[upper] <= along[lower]:
            raise ImagingError(
                f"levels: disc {upper} ({along[upper]:.1f} mm) is not above {lower} "
                f"({along[lower]:.1f} mm) along the slice normal"
            )
    centres = slice_centres_mm(volume)
    levels = []
    for index, name in enumerate(LEVELS):
        upper_disc, lower_disc = DISCS[index], DISCS[index + 1]
        if upper_disc not in along or lower_disc not in along:
            continue
        upper, lower = along[upper_disc], along[lower_disc]
        inside = np.flatnonzero((centres >= lower) & (centres < upper))
        mid = None
        if inside.size:
            mid = int(inside[np.argmin(np.abs(centres[inside] - (upper + lower) / 2))])
        levels.append(Level(name, tuple(int(k) for k in inside), mid, lower, upper))
    return levels
