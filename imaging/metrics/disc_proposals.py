"""Disc-plane proposals from the axial stack itself (no downloaded model): pure numpy/scipy.

1. The vertebral column in each slice: the bright (bone, and on T2 disc) component in a strip
   anterior to the segmented multifidus; its centroid is where the spine's axis crosses the
   slice. A quadratic fitted through those points over the slice index is the axis.
2. A profile along the axis (mean intensity within 8 mm of it in each slice) separates discs
   from vertebral bodies: discs brighter on T2, darker on a fat-fraction map (fatty marrow).
3. Each peak, refined to a fraction of a slice, gives a disc's centre on the axis and its plane's
   normal (the axis' tangent there, not the slice normal).
4. Names count up from the sacrum (a bone much wider than a vertebral body below the lowest disc)
   and are left empty, with the reason, when the sacrum is not in view: never silently named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, signal

from imaging.metrics.levels import DISCS
from imaging.volume import Volume

STRIP_HALF_WIDTH_MM, STRIP_DEPTH_MM = 55.0, 75.0  # wide enough for the sacrum
PROFILE_RADIUS_MM = 8.0
MIN_BODY_AREA_MM2 = 400.0
MIN_DISC_SPACING_MM = 22.0
AXIS_DEPTH_MM = 38.0  # vertebral body centre anterior to the multifidus' front edge (typical)
SACRUM_WIDTH_RATIO = 1.5
FINE_SLICE_MM, PLATEAU_SIGMA_MM = 2.5, 3.0  # reformats at about 1 mm along the spine


@dataclass(frozen=True)
class DiscProposal:
    name: str | None  # None: not named (see DiscProposals.naming)
    centre: np.ndarray  # LPS mm
    normal: np.ndarray  # unit, towards superior
    confidence: float  # 0-1: the peak's prominence against the profile's noise


@dataclass(frozen=True)
class DiscProposals:
    discs: tuple[DiscProposal, ...]  # caudal to cranial
    sacrum_in_view: bool
    naming: str  # how the names were given, or why they were not
    problems: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        return {
            "discs": [
                {
                    "name": d.name,
                    "centre": [round(float(v), 2) for v in d.centre],
                    "normal": [round(float(v), 4) for v in d.normal],
                    "confidence": round(d.confidence, 3),
                }
                for d in self.discs
            ],
            "sacrum_in_view": bool(self.sacrum_in_view),
            "naming": self.naming,
            "problems": list(self.problems),
        }


def _column(plane: np.ndarray, anchor: np.ndarray, spacing: tuple[float, float]):
    """(centroid (i, j) in px, width in mm) of the bony column anterior to the multifidus."""
    ai = np.argwhere(anchor)[:, 0].mean()
    front = np.argwhere(anchor)[:, 1].min()
    i0 = max(int(ai - STRIP_HALF_WIDTH_MM / spacing[0]), 0)
    i1 = min(int(ai + STRIP_HALF_WIDTH_MM / spacing[0]) + 1, plane.shape[0])
    j0 = max(int(front - STRIP_DEPTH_MM / spacing[1]), 0)
    j1 = max(int(front - 2 / spacing[1]), j0 + 1)
    strip = ndimage.gaussian_filter(plane[i0:i1, j0:j1].astype(float), 1.0 / spacing[0])
    if strip.size < 50:
        return None
    low, high = np.percentile(strip, [20, 97])
    bright = strip > (low + high) / 2
    components, count = ndimage.label(bright)
    best = None
    for index in range(1, count + 1):
        pixels = np.argwhere(components == index)
        area = len(pixels) * spacing[0] * spacing[1]
        if area < MIN_BODY_AREA_MM2:
            continue
        centre = pixels.mean(axis=0)
        if best is None or centre[1] < best[0][1]:  # the most anterior large component
            width = (np.ptp(pixels[:, 0]) + 1) * spacing[0]
            best = (centre, width, area)
    if best is None:
        return None
    centre, width, area = best
    return np.array([centre[0] + i0, centre[1] + j0]), width, area


def _robust_axis(
    points: np.ndarray, spacing: tuple[float, ...], degree: int = 2
) -> list[np.ndarray] | None:
    """Quadratics i(k), j(k) through the column centres, dropping points more than 3 mm off the
    curve (a slice where noise or a neighbour was taken for the column) and fitting again."""
    keep = np.ones(len(points), bool)
    for _ in range(4):
        if keep.sum() < 5:
            return None
        fit = [np.polyfit(points[keep, 0], points[keep, c], degree) for c in (1, 2)]
        off_i = (points[:, 1] - np.polyval(fit[0], points[:, 0])) * spacing[0]
        off_j = (points[:, 2] - np.polyval(fit[1], points[:, 0])) * spacing[1]
        within = np.hypot(off_i, off_j) <= 3.0
        if (within == keep).all():
            break
        keep = within
    return fit


def _column_points(array: np.ndarray, mask: np.ndarray, spacing: tuple[float, ...]):
    rows, widths, areas = [], {}, {}
    for k in range(array.shape[2]):
        if not mask[:, :, k].any():
            continue
        found = _column(array[:, :, k], mask[:, :, k], spacing[:2])
        if found is not None:
            rows.append((k, *found[0]))
            widths[k], areas[k] = found[1], found[2]
    return rows, widths, areas


def _image_axis(rows: list, widths: dict, areas: dict, spacing: tuple[float, ...]):
    """The axis through whole vertebral bodies: not the sacrum (wider), nor a slice that cuts a
    body's end obliquely (a partial section, whose centroid is off the axis)."""
    if len(rows) < 6:
        return None
    points = np.array(rows, dtype=float)
    median_width = float(np.median(list(widths.values())))
    narrow = [k for k in widths if widths[k] < SACRUM_WIDTH_RATIO * median_width]
    full = float(np.median([areas[k] for k in narrow])) if narrow else 0.0
    body = np.array(
        [
            widths[int(k)] < SACRUM_WIDTH_RATIO * median_width
            and 0.8 * full <= areas[int(k)] <= 1.25 * full
            for k in points[:, 0]
        ]
    )
    return _robust_axis(points[body], spacing)


def _multifidus_axis(mask: np.ndarray, spacing: tuple[float, ...]):
    """Fallback: the axis at a typical depth anterior to the multifidus' front edge."""
    rows = []
    for k in range(mask.shape[2]):
        pixels = np.argwhere(mask[:, :, k])
        if len(pixels):
            front = pixels[:, 1].min() - AXIS_DEPTH_MM / spacing[1]
            rows.append((k, pixels[:, 0].mean(), front))
    # A straight line: the muscle's front edge is too coarse a guide for the axis' curvature.
    return _robust_axis(np.array(rows, dtype=float), spacing, 1) if len(rows) >= 5 else None


def _profile(array: np.ndarray, fit: list[np.ndarray], spacing: tuple[float, ...]) -> np.ndarray:
    nz = array.shape[2]
    ks = np.arange(nz, dtype=float)
    axis_i, axis_j = np.polyval(fit[0], ks), np.polyval(fit[1], ks)
    ii, jj = np.meshgrid(np.arange(array.shape[0]), np.arange(array.shape[1]), indexing="ij")
    profile = np.full(nz, np.nan)
    for k in range(nz):
        near = ((ii - axis_i[k]) * spacing[0]) ** 2 + ((jj - axis_j[k]) * spacing[1]) ** 2
        disk = near <= PROFILE_RADIUS_MM**2
        if disk.any():
            profile[k] = array[:, :, k][disk].mean()
    return profile


def _peaks(profile: np.ndarray, sign: float, slice_mm: float):
    """(refined slice index, prominence / spread) of each peak of ``sign · profile``, and the
    peaks' median width in mm (discs are thin, vertebral bodies thick)."""
    signed = sign * profile
    signed = np.where(np.isfinite(signed), signed, np.nanmin(signed))
    spread = float(np.percentile(signed, 90) - np.percentile(signed, 10)) or 1.0
    peaks, info = signal.find_peaks(
        signed, distance=max(1, int(MIN_DISC_SPACING_MM / slice_mm)), prominence=0.25 * spread
    )
    found = []
    for peak, prominence in zip(peaks, info["prominences"], strict=True):
        if peak in (0, len(signed) - 1):
            continue  # a disc cut by the end of the stack cannot be centred
        left, mid, right = signed[peak - 1], signed[peak], signed[peak + 1]
        denominator = left - 2 * mid + right
        offset = 0.5 * (left - right) / denominator if denominator else 0.0
        found.append((peak + float(np.clip(offset, -0.5, 0.5)), min(1.0, prominence / spread)))
    widths = signal.peak_widths(signed, peaks, rel_height=0.5)[0] if len(peaks) else []
    return found, (float(np.median(widths)) * slice_mm if len(widths) else float("inf"))


@dataclass(frozen=True)
class Located:
    """Disc candidates along the spine's axis, before naming."""

    # (slice k, centre, normal, confidence) caudal to cranial
    discs: tuple[tuple[float, np.ndarray, np.ndarray, float], ...]
    widths: dict[int, float]  # the column's width (mm) on each slice where it was found
    column_seen: bool
    problems: tuple[str, ...]


def locate_discs(
    image: Volume, anchor: Volume, disc_brighter: bool | None = None
) -> Located | None:
    """Steps 1-3 on a canonical ``image``; None when there is no multifidus to start from."""
    array, mask = image.array, anchor.array > 0
    spacing = image.spacing
    rows, widths, areas = _column_points(array, mask, spacing)
    problems: list[str] = []
    fit = _image_axis(rows, widths, areas, spacing)
    column_seen = fit is not None
    if fit is None:
        fit = _multifidus_axis(mask, spacing)
        if fit is None:
            return None
        problems.append(
            f"vertebral column not found in the image: axis taken {AXIS_DEPTH_MM:.0f} mm "
            "anterior to the multifidus"
        )
    profile = _profile(array, fit, spacing)
    if spacing[2] < FINE_SLICE_MM:  # a disc spans many samples: smooth its plateau to a peak
        filled = np.where(np.isfinite(profile), profile, np.nanmean(profile))
        profile = ndimage.gaussian_filter1d(filled, PLATEAU_SIGMA_MM / spacing[2])
    if disc_brighter is None:
        bright, dark = _peaks(profile, 1.0, spacing[2]), _peaks(profile, -1.0, spacing[2])
        peaks = bright[0] if bright[1] <= dark[1] else dark[0]
    else:
        peaks = _peaks(profile, 1.0 if disc_brighter else -1.0, spacing[2])[0]
    discs = []
    for k_star, confidence in peaks:
        centre_px = np.array([np.polyval(fit[0], k_star), np.polyval(fit[1], k_star), k_star])
        d_i = np.polyval(np.polyder(fit[0]), k_star)
        d_j = np.polyval(np.polyder(fit[1]), k_star)
        tangent = image.affine[:3, :3] @ np.array([d_i, d_j, 1.0])
        normal = tangent / np.linalg.norm(tangent)
        normal = -normal if normal[2] < 0 else normal
        centre = image.patient_coordinates(centre_px[None, :])[0]
        discs.append((k_star, centre, normal, confidence))
    return Located(tuple(discs), widths, column_seen, tuple(problems))


NOT_FOUND = DiscProposals(
    (), False, "no proposal: no multifidus to find the spine by", ("spine not found",)
)


def named(located: Located, names: list[str], sacrum: bool, naming: str,
          problems: list[str]) -> DiscProposals:  # fmt: skip
    """Proposals caudal to cranial, named in order from ``names`` (none when it is empty)."""
    proposals = tuple(
        DiscProposal(names[i] if i < len(names) else None, centre, normal, confidence)
        for i, (_k, centre, normal, confidence) in enumerate(located.discs)
    )
    return DiscProposals(proposals, sacrum, naming, tuple(problems))


NOT_NAMED_NO_COLUMN = ("not named: the vertebral column was not found, so the sacrum cannot be "
                       "recognised; confirm each name")  # fmt: skip
NOT_NAMED_NO_SACRUM = ("not named: the sacrum is not in view, so the lowest disc cannot be told; "
                       "confirm each name")  # fmt: skip


def propose_discs(
    image: Volume, anchor: Volume, disc_brighter: bool | None = None
) -> DiscProposals:
    """Proposals on a canonical ``image``; ``anchor`` marks the multifidus (any non-zero).
    ``disc_brighter`` None: decided from the data (the polarity whose peaks are thin)."""
    located = locate_discs(image, anchor, disc_brighter)
    if located is None:
        return NOT_FOUND
    problems = list(located.problems)
    widths = located.widths
    lowest = min((k for k, *_rest in located.discs), default=0.0)
    median_width = float(np.median(list(widths.values()))) if widths else float("inf")
    below = [k for k in widths if k < lowest - 1]
    sacrum = (
        located.column_seen
        and bool(below)
        and max(widths[k] for k in below) >= SACRUM_WIDTH_RATIO * median_width
    )
    if sacrum:
        if len(located.discs) > len(DISCS):
            problems.append(
                f"{len(located.discs)} discs above the sacrum: a transitional vertebra?"
            )
        return named(located, list(reversed(DISCS)), True,
                     "named upwards from the sacrum (below the lowest disc)", problems)  # fmt: skip
    naming = NOT_NAMED_NO_SACRUM if located.column_seen else NOT_NAMED_NO_COLUMN
    return named(located, [], False, naming, problems)
