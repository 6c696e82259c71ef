"""The real training subjects of the default model, laid out as image/label folders.

* ``t2``: the MuscleMap lumbar sample (T2-like, fat bright), labels 1-4 kept (psoas and quadratus
  lumborum set to background: the default model does not draw them).
* ``dixon_inphase``, ``dixon_water``, ``dixon_fat``: MyoSegmenTUM TUM01, one acquisition from
  another site. The fat map's header disagrees with the water map's (origin ~280 mm away, spacing
  1.01852 vs 1.0185 mm) although the voxel arrays are one acquisition: every contrast is written
  on the water map's grid, and in-phase is water + fat. Its manual labels are renumbered to the
  MuscleMap table (1 erector spinae right -> 3, 2 multifidus right -> 1, 3 multifidus left -> 2,
  4 erector spinae left -> 4; sides checked against patient coordinates when loaded).
* ``synth-*``: the MuscleMap label maps without images, each with a drawn background
  (``synthesis.synthetic_background``), painted anew at every training step.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imaging.errors import ImagingError
from imaging.io import load_image
from imaging.segmentation.synthesis import synthetic_background
from imaging.volume import Volume, save_nifti

T2 = "imaging/musclemap-lumbar-t2"
DIXON = "imaging/myosegmentum-dixon"
LABEL_MAPS = "imaging/musclemap-label-maps"
DIXON_TO_MUSCLEMAP = {1: 3, 2: 1, 3: 2, 4: 4}
DIXON_CONTRASTS = ("inphase", "water", "fat")


def _muscles_only(labels: Volume) -> Volume:
    array = labels.array
    return labels.with_array(np.where(np.isin(array, (1, 2, 3, 4)), array, 0).astype(np.uint8))


def t2_subject(shared: Path) -> tuple[Volume, Volume]:
    image = load_image(shared / T2 / "image.nii.gz")
    return image, _muscles_only(load_image(shared / T2 / "labels.nii.gz"))


def dixon_images(shared: Path) -> tuple[dict[str, Volume], Volume]:
    """The three contrasts on the water map's grid, and the renumbered labels."""
    water = load_image(shared / DIXON / "TUM01_water.nii.gz")
    fat = load_image(shared / DIXON / "TUM01_fat.nii.gz")
    if fat.array.shape != water.array.shape:
        raise ImagingError("TUM01: fat and water maps differ in shape; not one acquisition")
    w = water.array.astype(np.float32)
    f = np.clip(fat.array.astype(np.float32), 0, None)
    raw = load_image(shared / DIXON / "TUM01_labels.nii.gz")
    renumbered = np.zeros(raw.array.shape, np.uint8)
    for source, target in DIXON_TO_MUSCLEMAP.items():
        renumbered[raw.array == source] = target
    labels = water.with_array(renumbered)
    _check_sides(labels)
    images = {"inphase": water.with_array(w + f), "water": water.with_array(w),
              "fat": water.with_array(f)}  # fmt: skip
    return images, labels


def _check_sides(labels: Volume) -> None:
    """Right-side labels (1, 3) must lie on the patient's right (LPS x negative) of their
    left twins (2, 4)."""
    canonical = labels.canonical()
    x_of = {}
    for value in (1, 2, 3, 4):
        points = np.argwhere(canonical.array == value)
        if len(points) == 0:
            raise ImagingError(f"TUM01: label {value} is empty")
        x_of[value] = canonical.patient_coordinates(points.mean(axis=0, keepdims=True))[0][0]
    if not (x_of[1] < x_of[2] and x_of[3] < x_of[4]):
        raise ImagingError("TUM01: left/right labels do not match patient coordinates")


def label_map_subjects(shared: Path, seed: int) -> list[tuple[str, Volume, Volume]]:
    """(name, drawn background, labels) for each label map without an image."""
    rng = np.random.default_rng(seed)
    out = []
    for path in sorted((shared / LABEL_MAPS).glob("*.nii.gz")):
        labels = _muscles_only(load_image(path)).canonical()
        stack = np.moveaxis(labels.array, 2, 0).astype(np.int64)
        background = np.moveaxis(synthetic_background(stack, rng), 0, 2)
        name = "synth-" + path.name.split(".nii")[0]
        out.append((name, labels.with_array(background.astype(np.float32)), labels))
    return out


def write(folder: Path, name: str, image: Volume, labels: Volume) -> None:
    for kind, volume in (("images", image), ("labels", labels)):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        save_nifti(volume, folder / kind / f"{name}.nii.gz")


def lay_out(shared: Path, work: Path, seed: int = 7) -> dict[str, Path]:
    """``work/sources/{t2,dixon,synth}`` folders (images/, labels/); returns them by group."""
    groups = {group: work / "sources" / group for group in ("t2", "dixon", "synth")}
    write(groups["t2"], "t2", *t2_subject(shared))
    images, labels = dixon_images(shared)
    for contrast in DIXON_CONTRASTS:
        write(groups["dixon"], f"dixon_{contrast}", images[contrast], labels)
    for name, image, label_map in label_map_subjects(shared, seed):
        write(groups["synth"], name, image, label_map)
    return groups
