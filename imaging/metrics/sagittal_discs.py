"""Disc-plane proposals from a sagittal series of the axial stack's frame of reference.

A lumbar sagittal series usually covers the sacrum and T12 where the axial stack does not, so
it can name the discs that the axial stack alone cannot. Its canonical form is already an
axial reformat (slices along S at the sagittal in-plane spacing, coarse only across the
midline), so the axial method runs on it unchanged once it has an anchor: the multifidus is not
segmented on this series, so its front edge is carried over from the axial stack's masks (a
line fitted through them in patient coordinates, extended over the sagittal coverage).

Naming counts up from the sacrum, recognised here by its shape along the spine: bone that
continues below the lowest disc for longer than a vertebra does (1.3 disc intervals) without
another disc. Ambiguous cases are flagged as a possible transitional vertebra. No Django.
"""

from __future__ import annotations

import numpy as np

from imaging.metrics.disc_proposals import (
    NOT_FOUND,
    NOT_NAMED_NO_COLUMN,
    DiscProposals,
    Located,
    locate_discs,
    named,
)
from imaging.metrics.levels import DISCS
from imaging.volume import Volume

ANCHOR_HALF_WIDTH_MM, ANCHOR_DEPTH_MM = 8.0, 10.0
SACRUM_INTERVALS = 1.3  # bone below the lowest disc longer than this many disc intervals
TYPICAL_INTERVAL_MM = 36.0  # body and disc, when fewer than two discs are found
MAX_GAP_MM = 6.0


def carried_anchor(sagittal: Volume, axial_multifidus: Volume) -> Volume | None:
    """The multifidus' midline and front edge from the axial masks, on the sagittal grid."""
    points = []
    mask = axial_multifidus.array > 0
    for k in range(mask.shape[2]):
        voxels = np.argwhere(mask[:, :, k])
        if len(voxels):
            lps = axial_multifidus.patient_coordinates(
                np.column_stack([voxels, np.full(len(voxels), k)]).astype(float)
            )
            points.append((lps[:, 2].mean(), lps[:, 0].mean(), lps[:, 1].min()))
    if len(points) < 3:
        return None
    z, x, front = np.array(points).T
    x_mid = float(np.median(x))
    slope, intercept = np.polyfit(z, front, 1)
    inverse = np.linalg.inv(sagittal.affine)
    anchor = np.zeros(sagittal.shape, np.uint8)
    for k in range(sagittal.shape[2]):
        z_k = float(sagittal.patient_coordinates(np.array([[0.0, 0.0, k]]))[0, 2])
        y_front = slope * z_k + intercept
        corners = np.array(
            [[x_mid - ANCHOR_HALF_WIDTH_MM, y_front, z_k],
             [x_mid + ANCHOR_HALF_WIDTH_MM, y_front + ANCHOR_DEPTH_MM, z_k]]
        )  # fmt: skip
        index = corners @ inverse[:3, :3].T + inverse[:3, 3]
        low = np.clip(np.floor(index.min(axis=0)).astype(int), 0, None)
        high = np.minimum(np.ceil(index.max(axis=0)).astype(int) + 1, sagittal.shape)
        if (high[:2] > low[:2]).all():
            anchor[low[0] : high[0], low[1] : high[1], k] = 1
    if not anchor.any():
        return None
    return sagittal.with_array(anchor)


def _bone_below_mm(located: Located, spacing_mm: float) -> float:
    """How far the column runs without a gap below the lowest disc."""
    lowest = min(k for k, *_rest in located.discs)
    run, previous = 0.0, lowest
    for k in sorted((k for k in located.widths if k < lowest), reverse=True):
        if (previous - k) * spacing_mm > MAX_GAP_MM:
            break
        run, previous = (lowest - k) * spacing_mm, k
    return run


def propose_from_sagittal(sagittal: Volume, axial_multifidus: Volume) -> DiscProposals:
    """Proposals on a sagittal series (any orientation on file), named from the sacrum."""
    canonical = sagittal.canonical()
    anchor = carried_anchor(canonical, axial_multifidus.canonical())
    if anchor is None:
        return DiscProposals((), False, "no proposal: the sagittal series does not cover the "
                             "multifidus' midline", ("midline not covered",))  # fmt: skip
    located = locate_discs(canonical, anchor)
    if located is None or not located.discs:
        return NOT_FOUND
    if not located.column_seen:
        return named(located, [], False, NOT_NAMED_NO_COLUMN, list(located.problems))
    spacing = canonical.spacing[2]
    ks = [k for k, *_rest in located.discs]
    interval = float(np.median(np.diff(ks))) * spacing if len(ks) > 1 else TYPICAL_INTERVAL_MM
    below = _bone_below_mm(located, spacing)
    if below >= interval:
        # The sacrum is wider and deeper than a body: fit the spine's axis above it only.
        lowest = int(min(ks) - interval / (2 * spacing))
        lumbar = anchor.array.copy()
        lumbar[:, :, : max(lowest, 0)] = 0
        refined = locate_discs(canonical, anchor.with_array(lumbar))
        if refined is not None and len(refined.discs) == len(located.discs):
            located = Located(refined.discs, located.widths, True, refined.problems)
    problems = list(located.problems)
    if below < SACRUM_INTERVALS * interval:
        if below >= interval:
            problems.append(
                f"bone runs {below:.0f} mm below the lowest disc, more than a vertebra "
                f"({interval:.0f} mm) but not clearly the sacrum: a transitional vertebra?"
            )
        return named(located, [], False, "not named: the sacrum is not in view of the "
                     "sagittal series either; confirm each name", problems)  # fmt: skip
    if len(located.discs) > len(DISCS):
        problems.append(f"{len(located.discs)} discs above the sacrum: a transitional vertebra?")
    weakest = min(located.discs[0][3], 1.0)
    if len(located.discs) > 1 and weakest < 0.5 * float(np.median([d[3] for d in located.discs])):
        problems.append("the lowest disc is faint (a rudimentary disc of a transitional "
                        "vertebra?): check L5-S1")  # fmt: skip
    return named(located, list(reversed(DISCS)), True,
                 f"named upwards from the sacrum on the sagittal series ({below:.0f} mm of bone "
                 "below the lowest disc)", problems)  # fmt: skip
