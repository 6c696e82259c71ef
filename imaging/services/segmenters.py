"""Where a run's labels come from. A segmenter takes the image and returns labels on its grid.

``reference``: a folder of NIfTI label maps (with an optional ``<name>.labels.json`` label table
beside each), one of which must lie on the image's voxel grid: masks made by another tool, or a
phantom's truth. ``model``: the MONAI model of ``IMAGING_MODEL_CONFIG`` (MuscleMap-format JSON
with its ``.pth`` beside it, or ``IMAGING_MODEL_WEIGHTS``); the run records the model's SHA-256.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from imaging.errors import ImagingError
from imaging.io import is_nifti
from imaging.labels import MUSCLEMAP_ABDOMEN, Label, label_array, parse_label_table
from imaging.segmentation.confidence import Report
from imaging.volume import Volume, load_nifti


@dataclass(frozen=True)
class Labels:
    array: np.ndarray  # on the image's canonical grid
    table: tuple[Label, ...]
    source: str  # "reference", "model", "upload"
    name: str
    sha256: str
    # The model's confidence report (``imaging.segmentation.confidence``); None for masks made
    # by a person or another tool, which the reader checks anyway.
    confidence: Report | None = None


def _table_beside(path: Path) -> tuple[Label, ...]:
    sidecar = path.with_name(path.name.split(".nii")[0] + ".labels.json")
    if sidecar.exists():
        return parse_label_table(json.loads(sidecar.read_text()))
    return MUSCLEMAP_ABDOMEN


def reference_labels(image: Volume, folder: Path) -> Labels:
    canonical = image.canonical()
    if not folder.is_dir():
        raise ImagingError(f"reference masks folder {folder} does not exist")
    for path in sorted(folder.iterdir()):
        if not is_nifti(path):
            continue
        candidate = load_nifti(path).canonical()
        if candidate.same_grid(canonical):
            return Labels(label_array(candidate), _table_beside(path), "reference", path.name,
                          candidate.sha256)  # fmt: skip
    raise ImagingError(
        f"no label map in {folder} lies on this image's grid (shape {canonical.shape}); "
        "upload a mask on the review page"
    )


def segment(image: Volume) -> Labels:
    """Labels for ``image`` from the configured segmenter."""
    name = settings.IMAGING_SEGMENTER
    if name == "reference":
        if not settings.IMAGING_REFERENCE_MASKS_DIR:
            raise ImagingError(
                "no segmenter configured (IMAGING_REFERENCE_MASKS_DIR is empty): upload a mask "
                "on the review page"
            )
        return reference_labels(image, Path(settings.IMAGING_REFERENCE_MASKS_DIR))
    if name == "model":
        return model_labels(image)
    raise ImagingError(f"unknown IMAGING_SEGMENTER {name!r}")


def model_labels(image: Volume) -> Labels:
    from imaging.segmentation import InferenceSettings, load_model
    from imaging.segmentation.infer import segment_with_report

    config = Path(settings.IMAGING_MODEL_CONFIG)
    if not config.exists():
        raise ImagingError(
            f"no model at {config} (IMAGING_MODEL_CONFIG): run `make model`, or upload a mask "
            "on the review page"
        )
    weights = Path(settings.IMAGING_MODEL_WEIGHTS or config.with_suffix(".pth"))
    model = load_model(config, weights)
    from imaging.services.registry import register

    register(model, config)
    inference = InferenceSettings(
        overlap=settings.IMAGING_MODEL_OVERLAP, backend=settings.IMAGING_INFERENCE_BACKEND
    )
    labels, report = segment_with_report(image, model, inference)
    canonical = image.with_array(labels).canonical().array
    return Labels(canonical, model.config.labels, "model", model.name, model.sha256,
                  report)  # fmt: skip


def labels_from_upload(
    image: Volume, path: Path, table: tuple[Label, ...], name: str | None = None
) -> Labels:
    """A corrected mask (NIfTI) uploaded by the reader, checked against the image grid;
    ``name``: the file's name as the user gave it (recorded in provenance), if not ``path``'s."""
    candidate = load_nifti(path).canonical()
    if not candidate.same_grid(image.canonical()):
        raise ImagingError(
            f"the uploaded mask (shape {candidate.shape}) does not lie on the image's grid "
            f"(shape {image.canonical().shape}); masks are never resampled"
        )
    return Labels(label_array(candidate), table, "upload", name or path.name, candidate.sha256)
