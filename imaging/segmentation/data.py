"""Training data: image/label pairs from two folders (same file names), preprocessed exactly as
inference preprocesses (RAS, in-plane Spacing, non-zero z-normalisation; nearest for labels), cut
into axial slices, and label values outside the model's table set to background."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from monai.data import MetaTensor
from monai.transforms import Orientation, Spacing

from imaging.errors import ImagingError
from imaging.io import NIFTI_SUFFIXES, load_image
from imaging.segmentation.config import ModelConfig
from imaging.segmentation.infer import RAS_LABELS, quantised_affine
from imaging.volume import RAS_TO_LPS, Volume


@dataclass(frozen=True)
class Subject:
    name: str
    image: Volume
    labels: Volume


@dataclass(frozen=True)
class Slices:
    images: np.ndarray  # (n, x, y) float32, normalised
    labels: np.ndarray  # (n, x, y) int64


def _stem(path: Path) -> str:
    name = path.name
    for suffix in NIFTI_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load_subjects(images: Path, labels: Path) -> list[Subject]:
    """Pairs by name: ``images/<name>.nii.gz`` (or a DICOM folder) with ``labels/<name>.nii.gz``."""
    found = {_stem(p): p for p in sorted(labels.iterdir())}
    subjects = []
    for path in sorted(images.iterdir()):
        name = _stem(path)
        if name not in found:
            raise ImagingError(f"training data: no label map for {path.name} in {labels}")
        image, label = load_image(path), load_image(found[name])
        if not image.same_grid(label):
            raise ImagingError(f"training data: {name}: the label map is not on the image's grid")
        subjects.append(Subject(name, image, label))
    if not subjects:
        raise ImagingError(f"training data: no images in {images}")
    return subjects


def _meta(volume: Volume, array: np.ndarray) -> MetaTensor:
    canonical = volume.canonical()
    affine = quantised_affine(RAS_TO_LPS @ canonical.affine)
    return MetaTensor(torch.as_tensor(array)[None], affine=torch.as_tensor(affine))


def slices_of(subject: Subject, config: ModelConfig) -> Slices:
    image = subject.image.canonical().array.astype(np.float32)
    labels = subject.labels.canonical().array.astype(np.int64)
    known = np.isin(labels, [label.value for label in config.labels])
    labels = np.where(known, labels, 0)
    orient = Orientation(axcodes="RAS", labels=RAS_LABELS)
    pix = config.pix_dim
    image_t = Spacing(pixdim=pix, mode="bilinear")(orient(_meta(subject.image, image)))
    label_t = Spacing(pixdim=pix, mode="nearest")(
        orient(_meta(subject.labels, labels.astype(np.float32)))
    )
    array = np.asarray(image_t[0])
    nonzero = array != 0
    if nonzero.any():
        mean, std = array[nonzero].mean(), array[nonzero].std()
        array = np.where(nonzero, (array - mean) / (std or 1.0), 0.0)
    return Slices(
        np.ascontiguousarray(np.moveaxis(array, 2, 0), dtype=np.float32),
        np.ascontiguousarray(np.moveaxis(np.asarray(label_t[0]).round(), 2, 0), dtype=np.int64),
    )
