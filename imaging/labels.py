"""Label tables (MuscleMap's format) and the left/right check against patient coordinates.

A model's label numbers say nothing by themselves (MuscleMap's abdomen model has 1 = multifidus
right, its whole-body model the opposite parity), so the table travels with every label map and
each side is verified from geometry: DICOM +x points to the patient's left.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from imaging.errors import ImagingError
from imaging.volume import Volume

SIDES = ("left", "right")


@dataclass(frozen=True)
class Label:
    muscle: str
    side: str  # "left", "right" or "" for a midline structure
    value: int

    @property
    def name(self) -> str:
        return f"{self.muscle} {self.side}".strip()


# MuscleMap's "abdomen" model table (musclemap_abdomen_model_config.json).
MUSCLEMAP_ABDOMEN: tuple[Label, ...] = (
    Label("multifidus", "right", 1),
    Label("multifidus", "left", 2),
    Label("erector_spinae", "right", 3),
    Label("erector_spinae", "left", 4),
    Label("psoas_major", "right", 5),
    Label("psoas_major", "left", 6),
    Label("quadratus_lumborum", "right", 7),
    Label("quadratus_lumborum", "left", 8),
)


def parse_label_table(entries: object) -> tuple[Label, ...]:
    """A table from MuscleMap's list of {"muscle", "side", "value"} (or a config with "labels")."""
    if isinstance(entries, dict) and "labels" in entries:
        entries = entries["labels"]
    if not isinstance(entries, list) or not entries:
        raise ImagingError("label table: expected a non-empty list of {muscle, side, value}")
    labels = []
    for n, entry in enumerate(entries, start=1):
        try:
            label = Label(
                str(entry["muscle"]), str(entry.get("side", "")).lower(), int(entry["value"])
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ImagingError(f"label table entry {n}: {error!r} in {entry!r}") from error
        if label.side not in (*SIDES, ""):
            raise ImagingError(f"label table entry {n}: side must be left, right or empty")
        if label.value <= 0:
            raise ImagingError(f"label table entry {n}: value must be a positive integer")
        labels.append(label)
    values = [label.value for label in labels]
    if len(set(values)) != len(values):
        raise ImagingError("label table: a value is used twice")
    return tuple(labels)


def load_label_table(path: Path | None) -> tuple[Label, ...]:
    if path is None:
        return MUSCLEMAP_ABDOMEN
    try:
        return parse_label_table(json.loads(Path(path).read_text()))
    except (OSError, json.JSONDecodeError) as error:
        raise ImagingError(f"label table {path}: {error}") from error


def label_array(volume: Volume) -> np.ndarray:
    """Integer labels from a label volume (float NIfTI values rounded; fractions refused)."""
    array = volume.array
    if np.issubdtype(array.dtype, np.floating):
        rounded = np.rint(array)
        if np.abs(array - rounded).max() > 1e-3:
            raise ImagingError("label map holds fractional values; expected integer labels")
        array = rounded
    return array.astype(np.int32)


def side_flags(labels: np.ndarray, volume: Volume, table: tuple[Label, ...]) -> list[str]:
    """QC flags for labels whose centroid lies on the wrong side of the midline.

    The midline is the x of the centroid of all sided labels together (the paraspinal muscles
    are paired); a right label must lie at smaller x (LPS) than it, a left label at larger x.
    """
    sided = [label for label in table if label.side in SIDES]
    present = np.isin(labels, [label.value for label in sided])
    if not present.any():
        return []
    midline_x = volume.patient_coordinates(np.argwhere(present).astype(float))[:, 0].mean()
    flags = []
    for label in sided:
        voxels = np.argwhere(labels == label.value)
        if not voxels.size:
            continue
        x = volume.patient_coordinates(voxels.astype(float))[:, 0].mean()
        wrong = x > midline_x if label.side == "right" else x < midline_x
        if wrong:
            flags.append(
                f"{label.name} (label {label.value}) lies on the patient's "
                f"{'left' if label.side == 'right' else 'right'} (centroid x = {x:.1f} mm, "
                f"midline {midline_x:.1f} mm): check the label table"
            )
    return flags
