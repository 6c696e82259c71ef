"""Measure every muscle and side of a label map: CSA, volume, fat, by level, with provenance.

Inputs are canonicalised (permute/flip only) and must share one voxel grid; nothing is resampled.
The result is typed (``imaging.metrics.result.Metrics``); its ``to_json()`` is the JSON document of
``python -m imaging measure`` and what the pipeline stores.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from imaging import CODE_VERSION
from imaging.errors import ImagingError
from imaging.labels import Label, label_array, side_flags
from imaging.metrics import fat as fat_methods
from imaging.metrics.levels import LEVELS, Level, assign_levels
from imaging.metrics.morphometry import (
    erode_in_plane,
    measured_spacing,
    slice_areas_mm2,
    volume_mm3,
)
from imaging.metrics.result import (
    ImageSummary,
    LevelMetrics,
    Metrics,
    MuscleMetrics,
    Provenance,
)
from imaging.volume import Volume

DECIMALS = 4


@dataclass
class MeasureInputs:
    image: Volume
    labels: Volume
    table: tuple[Label, ...]
    discs: dict[str, np.ndarray] | None = None
    fat_method: str = "gmm3"
    erode: int = 0
    fat: Volume | None = None
    water: Volume | None = None
    fat_source: str | None = None  # where each came from (a series UID), for the provenance
    water_source: str | None = None
    flags: list[str] = field(default_factory=list)
    # The user states that fat and water come from one acquisition (same voxel array) although
    # their headers disagree: they are placed on the image's grid, and the statement is recorded.
    same_acquisition: bool = False


def _hash_json(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def grid_difference(volume: Volume, reference: Volume) -> str:
    """What differs between two canonical grids, in words (shape, spacing, origin)."""
    parts = []
    if volume.shape != reference.shape:
        parts.append(f"shape {list(volume.shape)} vs {list(reference.shape)}")
    if not np.allclose(volume.spacing, reference.spacing, rtol=0, atol=1e-7):
        parts.append(f"spacing {np.round(volume.spacing, 5).tolist()} vs "
                     f"{np.round(reference.spacing, 5).tolist()} mm")  # fmt: skip
    shift = float(np.linalg.norm(volume.affine[:3, 3] - reference.affine[:3, 3]))
    if shift > 0.01:
        parts.append(f"origin {shift:.1f} mm apart")
    directions = np.abs(volume.directions - reference.directions).max()
    if directions > 1e-4:
        parts.append("orientation differs")
    return ", ".join(parts) or "corner positions differ"


def _on_grid(volume: Volume, reference: Volume, what: str, same_acquisition: bool = False,
             notes: list[str] | None = None) -> Volume:  # fmt: skip
    canonical = volume.canonical()
    if canonical.same_grid(reference):
        return canonical
    difference = grid_difference(canonical, reference)
    if same_acquisition and canonical.shape == reference.shape and what != "the label map":
        if notes is not None:
            notes.append(f"{what} placed on the image's grid as stated one acquisition "
                         f"(its header: {difference})")  # fmt: skip
        return reference.with_array(canonical.array)
    hint = (" If they are one acquisition whose headers disagree, say so (--same-acquisition)."
            if what != "the label map" and canonical.shape == reference.shape else "")  # fmt: skip
    raise ImagingError(
        f"{what} does not lie on the image's voxel grid ({difference}); images and masks are "
        f"never resampled.{hint}"
    )


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), DECIMALS)


def _fat_map(
    inputs: MeasureInputs,
    image: np.ndarray,
    mask: np.ndarray,
    fat: Volume | None,
    water: Volume | None,
) -> np.ndarray | None:
    method = inputs.fat_method
    if method == "none":
        return None
    if method == "otsu":
        return fat_methods.fat_otsu(image, mask)
    if method == "gmm3":
        return fat_methods.fat_gmm3(image, mask)
    assert fat is not None and water is not None
    return fat_methods.fat_dixon(fat.array, water.array, mask)


def _fat_pct(fat_map: np.ndarray | None, mask: np.ndarray, slices: list[int]) -> float | None:
    if fat_map is None:
        return None
    selected = mask[:, :, slices]
    if not selected.any():
        return None
    return float(fat_map[:, :, slices][selected].mean() * 100)


def measure(inputs: MeasureInputs) -> Metrics:
    """The metrics document for one image and label map (see the module docstring)."""
    method = inputs.fat_method
    if method not in fat_methods.METHODS:
        raise ImagingError(f"fat method {method!r}: choose one of {', '.join(fat_methods.METHODS)}")
    if method == "dixon" and (inputs.fat is None or inputs.water is None):
        raise ImagingError("fat method dixon needs both --fat and --water images")
    if inputs.erode < 0:
        raise ImagingError("erode must be 0 or more voxels")
    image = inputs.image.canonical()
    labels_volume = _on_grid(inputs.labels, image, "the label map")
    placed: list[str] = []
    fat = (_on_grid(inputs.fat, image, "the fat image", inputs.same_acquisition, placed)
           if inputs.fat is not None else None)  # fmt: skip
    water = (_on_grid(inputs.water, image, "the water image", inputs.same_acquisition, placed)
             if inputs.water is not None else None)  # fmt: skip
    labels = label_array(labels_volume)
    known = [label.value for label in inputs.table]
    if not np.isin(labels, known).any():
        raise ImagingError(
            "the label map is empty: no voxel carries a label of the table "
            f"({', '.join(str(v) for v in known)})"
        )
    unknown = sorted(set(np.unique(labels).tolist()) - {0, *known})
    flags = list(inputs.flags)
    if unknown:
        flags.append(f"label values not in the table, ignored: {unknown}")
    flags += side_flags(labels, image, inputs.table)
    levels = assign_levels(image, inputs.discs) if inputs.discs else []
    spacing = measured_spacing(image)[2]
    intensities = image.array.astype(np.float32)
    muscles = []
    for label in inputs.table:
        mask = labels == label.value
        areas = slice_areas_mm2(mask, image)
        present = [int(k) for k in np.flatnonzero(areas > 0)]
        if not present:
            flags.append(f"{label.name}: no voxels in the label map")
        fat_mask = erode_in_plane(mask, inputs.erode)
        fat_map = None
        if present and method != "none":
            try:
                fat_map = _fat_map(inputs, intensities, fat_mask, fat, water)
            except ImagingError as error:
                flags.append(f"{label.name}: fat not measured: {error}")
        muscles.append(
            MuscleMetrics(
                muscle=label.muscle,
                side=label.side,
                label=label.value,
                volume_mm3=_round(volume_mm3(areas, spacing, present)),
                # over the slices the muscle is drawn on (all measured slices, not a level range)
                mean_csa_mm2=_round(float(areas[present].mean())) if present else None,
                fat_fraction_pct=_round(_fat_pct(fat_map, fat_mask, present)),
                n_slices=len(present),
                levels=tuple(
                    _level_row(level, areas, spacing, fat_map, fat_mask, label, flags)
                    for level in levels
                ),
                volume_l1_l5_mm3=_cumulative(levels, areas, spacing),
            )
        )
    return Metrics(
        image=ImageSummary(
            sha256=inputs.image.sha256,
            shape=tuple(int(n) for n in image.shape),
            spacing_mm=tuple(round(s, 4) for s in image.spacing),
            slice_normal=tuple(round(float(v), 5) for v in image.slice_normal),
            notes=tuple(inputs.image.notes),
        ),
        fat_method=method,
        fat_parameters=fat_methods.parameters(method, inputs.erode),
        volume_convention="sum of CSA x centre-to-centre slice spacing",
        muscles=tuple(muscles),
        qc_flags=tuple(flags),
        provenance=Provenance(
            code_version=CODE_VERSION,
            labels_sha256=inputs.labels.sha256,
            fat_sha256=inputs.fat.sha256 if inputs.fat is not None else None,
            water_sha256=inputs.water.sha256 if inputs.water is not None else None,
            fat_source=inputs.fat_source if inputs.fat is not None else None,
            water_source=inputs.water_source if inputs.water is not None else None,
            same_acquisition_stated=inputs.same_acquisition,
            grids_placed=tuple(placed),
            label_table_sha256=_hash_json([vars(label) for label in inputs.table]),
            levels_sha256=_hash_json(
                {k: v.tolist() for k, v in sorted((inputs.discs or {}).items())}
            )
            if inputs.discs
            else None,
        ),
    )


def _level_row(
    level: Level,
    areas: np.ndarray,
    spacing: float,
    fat_map: np.ndarray | None,
    fat_mask: np.ndarray,
    label: Label,
    flags: list[str],
) -> LevelMetrics:
    slices = list(level.slices)
    if not slices:
        flags.append(f"{label.name} {level.name}: no slice of the stack lies in this level")
    elif not areas[slices].any():
        flags.append(f"{label.name} {level.name}: empty level (no voxels on {len(slices)} slices)")
    return LevelMetrics(
        level=level.name,
        n_slices=len(slices),
        csa_mm2=_round(areas[level.mid_slice]) if level.mid_slice is not None else None,
        mean_csa_mm2=_round(areas[slices].mean()) if slices else None,
        volume_mm3=_round(volume_mm3(areas, spacing, slices)),
        fat_fraction_pct=_round(_fat_pct(fat_map, fat_mask, slices)) if slices else None,
    )


def _cumulative(levels: list[Level], areas: np.ndarray, spacing: float) -> float | None:
    """L1-L5 volume, only when all five levels are defined."""
    if [level.name for level in levels] != list(LEVELS):
        return None
    slices = [k for level in levels for k in level.slices]
    return _round(volume_mm3(areas, spacing, slices))
