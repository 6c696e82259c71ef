"""Agreement of a model's masks with reference masks: Dice, 95 % Hausdorff distance (mm), and the
error of mean CSA and of volume, per label and subject, with the means over subjects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import ndimage

from imaging.segmentation.data import Subject, load_subjects
from imaging.segmentation.infer import InferenceSettings, segment
from imaging.segmentation.model import LoadedModel, load_model


def _surface(mask: np.ndarray) -> np.ndarray:
    return mask & ~ndimage.binary_erosion(mask)


def hausdorff95(a: np.ndarray, b: np.ndarray, spacing: tuple[float, ...]) -> float | None:
    if not a.any() or not b.any():
        return None
    to_b = ndimage.distance_transform_edt(~b, sampling=spacing)[_surface(a)]
    to_a = ndimage.distance_transform_edt(~a, sampling=spacing)[_surface(b)]
    return float(max(np.percentile(to_b, 95), np.percentile(to_a, 95)))


def compare(predicted: np.ndarray, truth: np.ndarray, spacing: tuple[float, float, float],
            value: int) -> dict[str, float | None]:  # fmt: skip
    a, b = predicted == value, truth == value
    total = int(a.sum() + b.sum())
    pixel, dz = spacing[0] * spacing[1], spacing[2]
    truth_slices = b.reshape(-1, b.shape[2]).any(axis=0)
    csa_truth = b.sum(axis=(0, 1))[truth_slices].mean() * pixel if truth_slices.any() else None
    csa_pred = a.sum(axis=(0, 1))[truth_slices].mean() * pixel if truth_slices.any() else None
    volume_truth, volume_pred = b.sum() * pixel * dz, a.sum() * pixel * dz
    return {
        "dice": 2 * float((a & b).sum()) / total if total else 1.0,
        "hd95_mm": hausdorff95(a, b, spacing),
        "csa_error_pct": 100 * (csa_pred - csa_truth) / csa_truth if csa_truth else None,
        "volume_error_pct": 100 * (volume_pred - volume_truth) / volume_truth
        if volume_truth
        else None,
    }


def evaluate(model: LoadedModel, subjects: list[Subject],
             settings: InferenceSettings | None = None) -> dict:  # fmt: skip
    per_subject = {}
    for subject in subjects:
        predicted = subject.image.with_array(segment(subject.image, model, settings)).canonical()
        truth = subject.labels.canonical()
        per_subject[subject.name] = {
            f"{label.muscle}_{label.side}": compare(
                predicted.array, truth.array, truth.spacing, label.value
            )
            for label in model.config.labels
        }
    summary: dict[str, dict[str, float | None]] = {}
    for key in next(iter(per_subject.values()), {}):
        summary[key] = {}
        for metric in ("dice", "hd95_mm", "csa_error_pct", "volume_error_pct"):
            values = [s[key][metric] for s in per_subject.values() if s[key][metric] is not None]
            summary[key][metric] = round(float(np.mean(values)), 4) if values else None
    return {"model": model.provenance(), "subjects": per_subject, "mean": summary}


def evaluate_folders(model: Path, images: Path, labels: Path, weights: Path | None = None,
                     settings: InferenceSettings | None = None) -> dict:  # fmt: skip
    """``evaluate`` for a MuscleMap-format model file (weights beside it unless given) and
    image/label folders paired by name, at the pipeline's settings unless given."""
    loaded = load_model(model, weights or model.with_suffix(".pth"))
    return evaluate(loaded, load_subjects(images, labels), settings)
