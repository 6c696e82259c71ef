"""How far a segmentation can be trusted, and whether its shapes are plausible (pure numpy).

A model can be confidently wrong on an image unlike its training data (the first default model
found no multifidus on Dixon water images and raised no flag). Each run therefore gets:

* a **score**: for each muscle, the mean softmax probability of its own label over the voxels
  given that label; the run's score is the weakest muscle's (a muscle drawn with hesitation is
  what needs the reader);
* **shape checks** on the canonical grid (x towards the patient's left): a muscle missing on a
  slice inside the range where the others are present, a muscle broken into pieces on a slice,
  a CSA jump between neighbouring slices, a right-side label lying left of its twin, multifidus
  not medial to the erector spinae, a slice CSA outside a plausible range.

A run below ``Thresholds.min_score`` or with any shape problem *needs correction*: the reader
cannot approve it without a corrected mask or an override with a reason. The threshold is
calibrated on leave-one-subject-out runs (``calibrate_threshold``), stated in the model card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import ndimage

from imaging.labels import Label
from imaging.volume import Volume

# Plausible CSA on one axial slice (mm²), wide: lumbar multifidus ~200-1,200 mm² from L1 to L5,
# erector spinae ~600-2,600 mm² (adults, MR); outside these a mask has leaked or collapsed.
CSA_RANGE_MM2 = {"multifidus": (40.0, 3000.0), "erector_spinae": (100.0, 6000.0)}


@dataclass(frozen=True)
class Thresholds:
    min_score: float = 0.80
    max_csa_ratio: float = 2.5  # between neighbouring slices where both are present
    min_fragment_share: float = 0.15  # a second piece this large (of the slice's area) counts


@dataclass(frozen=True)
class Report:
    score: float
    per_label: dict[str, float]
    problems: list[str]
    needs_correction: bool
    thresholds: dict[str, float] = field(default_factory=dict)
    labels: np.ndarray | None = None  # canonical label map the checks were made on
    inference: dict[str, object] = field(default_factory=dict)  # backend, overlap (provenance)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("labels")
        return data

    @classmethod
    def from_json(cls, data: dict) -> Report:
        """A stored report (a run's ``confidence``) read back; the label map is not stored."""
        return cls(
            score=float(data.get("score", 1.0)),
            per_label=dict(data.get("per_label", {})),
            problems=list(data.get("problems", [])),
            needs_correction=bool(data.get("needs_correction", False)),
            thresholds=dict(data.get("thresholds", {})),
            inference=dict(data.get("inference", {})),
        )


def largest_components(labels: np.ndarray) -> np.ndarray:
    """Keep, for each label, its largest 3D connected component (26-connectivity)."""
    out = np.zeros_like(labels)
    structure = np.ones((3, 3, 3), dtype=bool)
    for value in np.unique(labels):
        if value == 0:
            continue
        components, count = ndimage.label(labels == value, structure=structure)
        if count:
            sizes = np.bincount(components.ravel())[1:]
            out[components == 1 + int(np.argmax(sizes))] = value
    return out


def assess(
    canonical: Volume,
    soft: np.ndarray,
    table: tuple[Label, ...],
    thresholds: Thresholds,
    labels: np.ndarray | None = None,
) -> Report:
    """The report for softmax ``soft`` (labels, x, y, z) on ``canonical``'s grid; ``labels``
    (the final map) defaults to the argmax with the largest component of each label."""
    if labels is None:
        labels = largest_components(np.argmax(soft, axis=0).astype(np.uint8))
    per_label = {}
    for label in table:
        mask = labels == label.value
        per_label[label.name] = round(float(soft[label.value][mask].mean()), 4) if mask.any() \
            else 0.0  # fmt: skip
    score = min(per_label.values()) if per_label else 0.0
    problems = shape_problems(canonical, labels, table, thresholds)
    return Report(round(score, 4), per_label, problems,
                  score < thresholds.min_score or bool(problems), asdict(thresholds),
                  labels)  # fmt: skip


def shape_problems(
    canonical: Volume, labels: np.ndarray, table: tuple[Label, ...], thresholds: Thresholds
) -> list[str]:
    pixel = canonical.spacing[0] * canonical.spacing[1]
    problems: list[str] = []
    present = np.stack([(labels == l.value).any(axis=(0, 1)) for l in table])  # noqa: E741
    covered = np.flatnonzero(present.sum(axis=0) >= max(1, len(table) - 1))
    for row, label in enumerate(table):
        if covered.size == 0:
            break
        inside = np.arange(covered.min(), covered.max() + 1)
        missing = [int(k) + 1 for k in inside if not present[row, k]]
        if missing:
            problems.append(f"{label.name} missing on slice(s) {_ranges(missing)}")
        problems += _per_slice(labels == label.value, label, pixel, thresholds)
    problems += _geometry(labels, table)
    return problems


def _per_slice(mask: np.ndarray, label: Label, pixel: float, thresholds: Thresholds) -> list[str]:
    out, areas = [], mask.sum(axis=(0, 1)) * pixel
    broken, jumps, implausible = [], [], []
    low, high = CSA_RANGE_MM2.get(label.muscle, (0.0, np.inf))
    for k in np.flatnonzero(areas):
        pieces, count = ndimage.label(mask[:, :, k])
        if count > 1:
            sizes = np.sort(np.bincount(pieces.ravel())[1:])[::-1]
            if sizes[1] >= thresholds.min_fragment_share * sizes.sum():
                broken.append(int(k) + 1)
        if not low <= areas[k] <= high:
            implausible.append(int(k) + 1)
        if k + 1 < len(areas) and areas[k + 1] > 0:
            ratio = max(areas[k], areas[k + 1]) / min(areas[k], areas[k + 1])
            if ratio > thresholds.max_csa_ratio:
                jumps.append(f"{int(k) + 1}-{int(k) + 2}")
    if broken:
        out.append(f"{label.name} in pieces on slice(s) {_ranges(broken)}")
    if jumps:
        out.append(f"{label.name} CSA jumps between slices {', '.join(jumps)}")
    if implausible:
        out.append(f"{label.name} CSA outside {low:g}-{high:g} mm² on slice(s) "
                   f"{_ranges(implausible)}")  # fmt: skip
    return out


def _geometry(labels: np.ndarray, table: tuple[Label, ...]) -> list[str]:
    """Sides (canonical x grows towards the patient's left) and multifidus medial to erector
    spinae, from centroids over the whole stack."""
    centre = {}
    for label in table:
        points = np.argwhere(labels == label.value)
        if len(points):
            centre[(label.muscle, label.side)] = points[:, 0].mean()
    out = []
    for muscle in {label.muscle for label in table}:
        right, left = centre.get((muscle, "right")), centre.get((muscle, "left"))
        if right is not None and left is not None and right >= left:
            out.append(f"{muscle.replace('_', ' ')}: the right label lies left of the left one")
    mf = [centre.get(("multifidus", s)) for s in ("right", "left")]
    es = [centre.get(("erector_spinae", s)) for s in ("right", "left")]
    if all(v is not None for v in (*mf, *es)):
        midline = (mf[0] + mf[1]) / 2
        for side, m, e in (("right", mf[0], es[0]), ("left", mf[1], es[1])):
            if abs(m - midline) >= abs(e - midline):
                out.append(f"multifidus {side} is not medial to the erector spinae")
    return out


def _ranges(numbers: list[int]) -> str:
    spans, start = [], numbers[0]
    for previous, current in zip(numbers, [*numbers[1:], None], strict=True):
        if current != previous + 1:
            spans.append(str(start) if start == previous else f"{start}-{previous}")
            start = current
    return ", ".join(spans)


def calibrate_threshold(runs: list[tuple[float, float]], good: float = 0.85,
                        bad: float = 0.80, floor: float = 0.5) -> float:  # fmt: skip
    """A score threshold from (score, multifidus Dice) of runs on unseen subjects: above every
    bad run (Dice < ``bad``) and, where the runs allow, below every good one (Dice >= ``good``).
    With no bad run, the lowest good score less a margin of 0.05 (never under ``floor``)."""
    bad_scores = [s for s, d in runs if d < bad]
    good_scores = [s for s, d in runs if d >= good]
    if bad_scores and good_scores and max(bad_scores) < min(good_scores):
        return round((max(bad_scores) + min(good_scores)) / 2, 4)
    if bad_scores:
        return round(max(bad_scores) + 0.01, 4)
    if good_scores:
        return round(max(floor, min(good_scores) - 0.05), 4)
    return Thresholds().min_score
