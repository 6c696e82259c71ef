"""Frames to volumes: group by orientation and stack, sort along the normal, check the spacing.

Sorting uses each frame's position projected on the slice normal, never InstanceNumber or
SliceLocation. The spacing comes from those positions: a uniform stack with a gap between slices
(thickness < spacing) or an overlap is measured and noted; a missing slice, a duplicate position or
any other non-uniform spacing is refused with the positions named, because a volume built across
it would be wrong by the missing slab.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from imaging.dicom.frames import Frame
from imaging.errors import ImagingError
from imaging.volume import Volume

ORIENTATION_DECIMALS = 3  # IOP agreeing to 1e-3 is the same plane orientation
SPACING_TOLERANCE = 0.02  # relative deviation of one step from the median step


@dataclass(frozen=True)
class Stack:
    """Frames sharing series, orientation and stack, sorted along the normal."""

    key: tuple
    frames: tuple[Frame, ...]

    @property
    def normal(self) -> np.ndarray:
        return self.frames[0].normal

    def positions(self) -> np.ndarray:
        return np.array([f.position @ self.normal for f in self.frames])


def group_stacks(frames: list[Frame]) -> list[Stack]:
    """Group by (series, rounded orientation, stack key), deduplicating SOP instances."""
    groups: dict[tuple, dict[tuple[str, int | None], Frame]] = defaultdict(dict)
    for frame in frames:
        orientation = tuple(
            np.round(
                np.concatenate([frame.row_direction, frame.column_direction]), ORIENTATION_DECIMALS
            )
            + 0.0
        )
        key = (frame.series_instance_uid, orientation, frame.stack_key)
        groups[key][(frame.sop_instance_uid, frame.frame_index)] = frame
    stacks = []
    for key, unique in groups.items():
        members = list(unique.values())
        normal = members[0].normal
        members.sort(key=lambda f: float(f.position @ normal))
        stacks.append(Stack(key=key, frames=tuple(members)))
    stacks.sort(key=lambda s: -len(s.frames))
    return stacks


def slice_spacing(stack: Stack) -> tuple[float, list[str]]:
    """The uniform centre-to-centre spacing of a stack, and notes on gaps or overlaps."""
    positions = stack.positions()
    if len(positions) < 2:
        raise ImagingError("a single slice has no slice spacing; a volume needs at least 2")
    steps = np.diff(positions)
    duplicates = np.flatnonzero(steps < 1e-3)
    if duplicates.size:
        first = stack.frames[int(duplicates[0])]
        raise ImagingError(
            f"two different images at the same position ({positions[duplicates[0]]:.2f} mm "
            f"along the normal: {first.source} and {stack.frames[int(duplicates[0]) + 1].source});"
            " a repeated acquisition must be a separate series or stack"
        )
    spacing = float(np.median(steps))
    off = np.flatnonzero(np.abs(steps - spacing) > SPACING_TOLERANCE * spacing)
    if off.size:
        i = int(off[0])
        hint = " (missing slice?)" if steps[i] > 1.5 * spacing else ""
        raise ImagingError(
            f"slice spacing is not uniform: {spacing:.2f} mm between most slices but "
            f"{steps[i]:.2f} mm between the slices at {positions[i]:.2f} and "
            f"{positions[i + 1]:.2f} mm along the normal{hint}; {off.size} irregular step(s)"
        )
    notes = []
    thickness = stack.frames[0].slice_thickness
    if thickness:
        if spacing > thickness * (1 + SPACING_TOLERANCE):
            notes.append(
                f"gap between slices: thickness {thickness:g} mm, spacing {spacing:.3g} mm"
            )
        elif spacing < thickness * (1 - SPACING_TOLERANCE):
            notes.append(
                f"overlapping slices: thickness {thickness:g} mm, spacing {spacing:.3g} mm"
            )
    return spacing, notes


def stack_volume(stack: Stack, sha256: str = "") -> Volume:
    """The stack as a Volume: array[i, j, k] = frame k's pixel at column i, row j."""
    spacing, notes = slice_spacing(stack)
    first = stack.frames[0]
    for frame in stack.frames:
        if not np.allclose(frame.pixel_spacing, first.pixel_spacing, rtol=1e-4):
            raise ImagingError(f"{frame.source}: PixelSpacing differs within the stack")
        in_plane = frame.position - first.position
        if np.linalg.norm(in_plane - (in_plane @ first.normal) * first.normal) > 0.5:
            raise ImagingError(f"{frame.source}: slice not aligned with the rest of the stack")
    slices = [frame.pixels() for frame in stack.frames]
    shapes = {s.shape for s in slices}
    if len(shapes) != 1:
        raise ImagingError(f"images of different sizes in one stack: {sorted(shapes)}")
    array = np.stack([s.T for s in slices], axis=-1)
    row_spacing, column_spacing = first.pixel_spacing
    affine = np.eye(4)
    affine[:3, 0] = first.row_direction * column_spacing
    affine[:3, 1] = first.column_direction * row_spacing
    affine[:3, 2] = first.normal * spacing
    affine[:3, 3] = first.position
    return Volume(array=array, affine=affine, sha256=sha256, notes=tuple(notes))
