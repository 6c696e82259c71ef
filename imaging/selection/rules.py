"""Choose the series to segment and measure; every series gets a decision with its reasons.

Rules are data (``default_rules.json``, or a trial's own file); the logic only reads them. Tests
use geometry, not text, wherever the header allows: axial means the slice normal lies within the
rule's angle of the patient's S axis; T2 means long TE and TR, the description only breaks ties.
A Dixon water/fat pair (one frame of reference, one geometry) is preferred to a T2 when the rules
say so: the water image is segmented and fat fraction is F/(F+W) on the pair, the reference
method. Scanners store Dixon maps as DERIVED (Siemens and GE: DERIVED\\PRIMARY\\DIXON\\WATER),
so the rules name the image types a Dixon map needs separately.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

DEFAULT_RULES = Path(__file__).with_name("default_rules.json")


def load_rules(path: Path | None = None) -> dict:
    return json.loads((path or DEFAULT_RULES).read_text())


@dataclass(frozen=True)
class SeriesSummary:
    """What selection needs from one series (its first instance plus counts and positions)."""

    series_uid: str
    modality: str
    description: str
    image_type: tuple[str, ...]
    instances: int
    manufacturer: str = ""
    scanning_sequence: str = ""
    sequence_variant: str = ""
    scan_options: str = ""
    echo_time_ms: float | None = None
    repetition_time_ms: float | None = None
    normal: tuple[float, float, float] | None = None
    pixel_spacing: tuple[float, float] | None = None
    coverage_mm: float = 0.0
    frame_of_reference_uid: str = ""

    @property
    def angle_from_axial(self) -> float | None:
        if self.normal is None:
            return None
        return math.degrees(math.acos(min(1.0, abs(self.normal[2]))))


def _multi(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return "\\".join(str(v) for v in value)  # type: ignore[attr-defined]
    except TypeError:
        return str(value)


def summarise(datasets: list[Dataset]) -> SeriesSummary:
    """A summary of one series from its (header-only) datasets."""
    first = datasets[0]
    normal = spacing = None
    coverage = 0.0
    iop = first.get("ImageOrientationPatient")
    if iop is None and "SharedFunctionalGroupsSequence" in first:
        shared = first.SharedFunctionalGroupsSequence[0]
        if "PlaneOrientationSequence" in shared:
            iop = shared.PlaneOrientationSequence[0].ImageOrientationPatient
    if iop is not None and len(iop) == 6:
        row, column = np.array(iop[:3], float), np.array(iop[3:], float)
        n = np.cross(row, column)
        normal = tuple(float(v) for v in n / (np.linalg.norm(n) or 1))
        positions = sorted(
            float(np.array(ds.ImagePositionPatient, float) @ n)
            for ds in datasets if "ImagePositionPatient" in ds
        )  # fmt: skip
        if len(positions) > 1:
            coverage = positions[-1] - positions[0] + (positions[1] - positions[0])
    if "PixelSpacing" in first:
        spacing = (float(first.PixelSpacing[0]), float(first.PixelSpacing[1]))
    frames = sum(int(ds.get("NumberOfFrames", 1) or 1) for ds in datasets)
    return SeriesSummary(
        series_uid=str(first.SeriesInstanceUID),
        modality=str(first.get("Modality", "")),
        description=str(first.get("SeriesDescription", "") or first.get("ProtocolName", "")),
        image_type=tuple(str(v).upper() for v in (first.get("ImageType") or ())),
        instances=frames,
        manufacturer=str(first.get("Manufacturer", "")),
        scanning_sequence=_multi(first.get("ScanningSequence")),
        sequence_variant=_multi(first.get("SequenceVariant")),
        scan_options=_multi(first.get("ScanOptions")),
        echo_time_ms=float(first.EchoTime) if first.get("EchoTime") not in (None, "") else None,
        repetition_time_ms=(
            float(first.RepetitionTime) if first.get("RepetitionTime") not in (None, "") else None
        ),
        normal=normal,
        pixel_spacing=spacing,
        coverage_mm=round(coverage, 2),
        frame_of_reference_uid=str(first.get("FrameOfReferenceUID", "")),
    )


@dataclass
class Decision:
    series_uid: str
    description: str
    eligible: bool
    role: str = ""  # "t2", "t2?", "dixon-water", "dixon-fat"; "sagittal" (disc levels only)
    chosen: bool = False
    paired_series_uid: str = ""  # a Dixon map's partner (water <-> fat)
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _matches(pattern: str, value: str) -> bool:
    return bool(re.search(pattern, value or ""))


def _rejection(summary: SeriesSummary, rules: dict) -> str | None:
    own = rules["own_outputs"]
    if _matches(own["Modality"], summary.modality) or _matches(
        own["Manufacturer"], summary.manufacturer
    ):
        return f"our own output ({summary.modality}, {summary.manufacturer or 'no manufacturer'})"
    required = rules["require"]
    if not _matches(required["Modality"], summary.modality):
        return f"modality {summary.modality or 'missing'}, not MR"
    needed = required["ImageType"]
    if _dixon_map(summary, rules):
        needed = rules["dixon"]["require_image_type"]
    missing = [v for v in needed if v not in summary.image_type]
    if missing:
        return f"ImageType {'/'.join(summary.image_type) or 'missing'} lacks {'/'.join(missing)}"
    angle = summary.angle_from_axial
    if angle is None:
        return "no ImageOrientationPatient: geometry unknown"
    if angle > required["axial_within_degrees"]:
        return f"not axial: slice normal {angle:.0f} deg from the S axis"
    if summary.instances < required["min_instances"]:
        return f"{summary.instances} images, fewer than {required['min_instances']}"
    suppressed = rules["fat_suppressed"]
    for attribute, value in (
        ("ScanningSequence", summary.scanning_sequence),
        ("SequenceVariant", summary.sequence_variant),
        ("ScanOptions", summary.scan_options),
        ("SeriesDescription", summary.description),
    ):
        if _matches(suppressed[attribute], value):
            return f"fat-suppressed ({attribute} {value!r}): unusable for fat quantification"
    return None


def _is_sagittal(summary: SeriesSummary, rules: dict) -> bool:
    """An MR image series whose slice normal lies within the axial rule's angle of L-R."""
    if summary.normal is None or not _matches(rules["require"]["Modality"], summary.modality):
        return False
    if _matches(rules["own_outputs"]["Modality"], summary.modality):
        return False
    angle = math.degrees(math.acos(min(1.0, abs(summary.normal[0]))))
    return angle <= rules["require"]["axial_within_degrees"] and summary.instances >= 3


def _dixon_map(summary: SeriesSummary, rules: dict) -> str:
    """ "water" or "fat" when the image type names a Dixon map (values after the first two)."""
    for role, values in rules["dixon"]["image_type"].items():
        if any(v in summary.image_type[2:] for v in values):
            return role
    return ""


def _role(summary: SeriesSummary, rules: dict) -> tuple[str, str]:
    dixon = _dixon_map(summary, rules)
    if dixon:
        return f"dixon-{dixon}", f"Dixon {dixon} image (ImageType {'/'.join(summary.image_type)})"
    t2 = rules["t2"]
    te, tr = summary.echo_time_ms, summary.repetition_time_ms
    if te is not None and tr is not None:
        if te >= t2["min_echo_time_ms"] and tr >= t2["min_repetition_time_ms"]:
            return "t2", f"T2-weighted by timing (TE {te:g} ms, TR {tr:g} ms)"
        return "", f"not T2-weighted (TE {te:g} ms, TR {tr:g} ms)"
    if _matches(t2["description"], summary.description):
        return "t2?", "T2 by description only (no TE/TR in the header)"
    return "", "contrast unknown (no TE/TR, description not T2)"


def select_series(summaries: list[SeriesSummary], rules: dict | None = None) -> list[Decision]:
    """One decision per series; at most one is chosen for segmentation and measurement."""
    rules = rules or load_rules()
    decisions = []
    for summary in summaries:
        decision = Decision(summary.series_uid, summary.description, eligible=False)
        rejection = _rejection(summary, rules)
        if rejection:
            decision.reasons.append(f"rejected: {rejection}")
            if _is_sagittal(summary, rules):
                decision.role = "sagittal"
                decision.reasons.append(
                    "kept for disc levels: a sagittal series of the axial stack's frame of "
                    "reference names the discs from the sacrum"
                )
        else:
            decision.role, why = _role(summary, rules)
            decision.eligible = bool(decision.role)
            decision.reasons.append(("candidate: " if decision.eligible else "rejected: ") + why)
        decisions.append(decision)
    _pair_dixon(summaries, decisions)
    by_uid = {s.series_uid: s for s in summaries}
    candidates = [d for d in decisions if d.role in ("t2", "t2?")]
    dixon = _best_dixon(decisions, by_uid, rules)
    if dixon is not None and (rules["dixon"]["prefer_over_t2"] or not candidates):
        dixon.chosen = True
        s = by_uid[dixon.series_uid]
        why = ("preferred to the T2 series: chemical-shift fat fraction is the reference method"
               if candidates else "no T2 series")  # fmt: skip
        dixon.reasons.append(
            f"chosen: Dixon {dixon.role.removeprefix('dixon-')} image of a water/fat pair "
            f"({why}), coverage {s.coverage_mm:.0f} mm"
        )
        for other in candidates:
            other.reasons.append(
                f"not chosen: the Dixon pair {dixon.description or dixon.series_uid} is preferred"
            )
    elif candidates:
        best = min(candidates, key=lambda d: _rank(by_uid[d.series_uid], d))
        best.chosen = True
        s = by_uid[best.series_uid]
        pixel = "x".join(f"{v:.2f}" for v in s.pixel_spacing or ())
        best.reasons.append(
            f"chosen: {'definite' if best.role == 't2' else 'probable'} T2, coverage "
            f"{s.coverage_mm:.0f} mm, pixel {pixel} mm, among {len(candidates)} candidate(s)"
        )
        for other in candidates:
            if other is not best:
                other.reasons.append(
                    f"not chosen: {best.description or best.series_uid} ranks higher"
                )
    return decisions


def _rank(summary: SeriesSummary, decision: Decision) -> tuple:
    area = (summary.pixel_spacing[0] * summary.pixel_spacing[1]) if summary.pixel_spacing else 1e9
    return (decision.role != "t2", -summary.coverage_mm, area, summary.series_uid)


def _best_dixon(
    decisions: list[Decision], by_uid: dict[str, SeriesSummary], rules: dict
) -> Decision | None:
    """The paired Dixon map to segment (the rules' ``segment_on``), widest coverage first."""
    wanted = f"dixon-{rules['dixon']['segment_on']}"
    paired = [d for d in decisions if d.role == wanted and d.paired_series_uid]
    if not paired:
        return None
    return min(paired, key=lambda d: _rank(by_uid[d.series_uid], d))


def _pair_dixon(summaries: list[SeriesSummary], decisions: list[Decision]) -> None:
    """Water and fat series on the same geometry are recorded as a pair (the first fat series
    that matches a water series; each series is in at most one pair)."""
    by_uid = {s.series_uid: s for s in summaries}
    waters = [d for d in decisions if d.role == "dixon-water"]
    fats = [d for d in decisions if d.role == "dixon-fat"]
    for water in waters:
        w = by_uid[water.series_uid]
        for fat in fats:
            f = by_uid[fat.series_uid]
            if fat.paired_series_uid or not water.eligible or not fat.eligible:
                continue
            if (w.frame_of_reference_uid and w.frame_of_reference_uid == f.frame_of_reference_uid
                    and w.normal and f.normal and np.allclose(w.normal, f.normal, atol=1e-3)
                    and w.instances == f.instances and w.pixel_spacing == f.pixel_spacing
                    and abs(w.coverage_mm - f.coverage_mm) < 0.5):  # fmt: skip
                water.paired_series_uid, fat.paired_series_uid = f.series_uid, w.series_uid
                water.reasons.append(f"Dixon pair with fat series {f.description or f.series_uid}")
                fat.reasons.append(f"Dixon pair with water series {w.description or w.series_uid}")
                break
