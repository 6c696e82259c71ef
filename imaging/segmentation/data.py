"""Training data: image/label pairs from two folders (same file names), preprocessed exactly as
inference preprocesses (RAS, in-plane Spacing, non-zero z-normalisation; nearest for labels), cut
into axial slices, and label values outside the model's table set to background."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from imaging.errors import ImagingError
from imaging.io import NIFTI_SUFFIXES, load_image
from imaging.segmentation.config import ModelConfig
from imaging.segmentation.infer import as_meta, preprocessing
from imaging.segmentation.synthesis import SYNTHETIC_PREFIX, clusters_of
from imaging.volume import Volume


@dataclass(frozen=True)
class Subject:
    name: str
    image: Volume
    labels: Volume


@dataclass(frozen=True)
class Slices:
    images: np.ndarray  # (n, x, y) float32, normalised
    labels: np.ndarray  # (n, x, y) int64
    clusters: np.ndarray | None = None  # (n, x, y) int16, see ``synthesis.clusters_of``


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


def slices_of(subject: Subject, config: ModelConfig) -> Slices:
    """Axial slices after the inference preprocessing; labels outside the table become 0."""
    labels = subject.labels.canonical().array
    labels = np.where(np.isin(labels, [label.value for label in config.labels]), labels, 0)
    image = np.asarray(preprocessing(config)(as_meta(subject.image))[0])
    label_map = np.asarray(preprocessing(config, labels=True)(as_meta(subject.labels, labels))[0])
    images = np.ascontiguousarray(np.moveaxis(image, 2, 0), dtype=np.float32)
    label_slices = np.ascontiguousarray(np.moveaxis(label_map.round(), 2, 0), dtype=np.int64)
    drawn = subject.name.startswith(SYNTHETIC_PREFIX)
    return Slices(images, label_slices, clusters_of(images, label_slices, drawn))
