"""Segmentation benchmark on 2 CPU threads: the default model on the shared 20-slice DICOM series
with our settings and with MuscleMap's (90 % overlap, one window per pass, no post-processing),
on whole slices, and with the optional ONNX Runtime backend, and how far apart the outputs are
(multifidus Dice, volume difference)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

SERIES = "imaging/musclemap-lumbar-t2/dicom"


def _timed(image: object, model: object, settings: object) -> tuple[np.ndarray, float]:
    """Our settings as the pipeline runs them: segmentation and its confidence report."""
    from imaging.segmentation.infer import segment_with_report

    segment_with_report(image, model, settings)  # warm-up (allocations, thread pool)
    start = time.perf_counter()
    labels, _report = segment_with_report(image, model, settings)
    return labels, time.perf_counter() - start


def rows() -> list[str]:
    from django.conf import settings as django_settings

    from imaging.io import load_image
    from imaging.segmentation import InferenceSettings, load_model
    from imaging.segmentation.infer import MUSCLEMAP_OVERLAP

    config = Path(django_settings.IMAGING_MODEL_CONFIG)
    series = Path(os.environ.get("SHARED_DATA_DIR", django_settings.SHARED_DATA_DIR)) / SERIES
    if not config.exists() or not series.exists():
        return [f"| segmentation | skipped: {config} or {series} missing | | | |"]
    model = load_model(config, config.with_suffix(".pth"))
    image = load_image(series)
    ours_settings = InferenceSettings(overlap=django_settings.IMAGING_MODEL_OVERLAP, threads=2)
    theirs_settings = InferenceSettings(overlap=MUSCLEMAP_OVERLAP, batch_size=1,
                                        largest_component=False, threads=2)  # fmt: skip
    ours, t_ours = _timed(image, model, ours_settings)
    theirs, t_theirs = _timed(image, model, theirs_settings)
    whole_settings = replace(ours_settings, whole_slices=True)
    whole, t_whole = _timed(image, model, whole_settings)
    from imaging.inference_backends import onnx_installed

    onnx, backends = None, []  # (threads, torch seconds, ONNX Runtime seconds)
    if onnx_installed():
        onnx, t_onnx = _timed(image, model, replace(ours_settings, backend="onnxruntime"))
        one = replace(ours_settings, threads=1)
        _, t_torch_1 = _timed(image, model, one)
        _, t_onnx_1 = _timed(image, model, replace(one, backend="onnxruntime"))
        backends = [(2, t_ours, t_onnx), (1, t_torch_1, t_onnx_1)]
    out = [
        f"| default model + confidence, our settings (overlap {ours_settings.overlap}, batch 16) | "
        f"20 slices | {t_ours:.2f} s | {t_theirs / t_ours:.1f}x faster | |",
        f"| default model, MuscleMap settings (overlap 0.9, batch 1) | 20 slices | "
        f"{t_theirs:.2f} s | 1x | |",
    ]
    out.append(f"| default model + confidence, whole slices (padded to the stride; not the "
               f"default) | 20 slices | {t_whole:.2f} s | {t_ours / t_whole:.1f}x faster than "
               f"our windows | |")  # fmt: skip
    if onnx is None:
        out.append("| our settings, ONNX Runtime backend | not installed (pip install "
                   "'strongback-edc[onnx]') | | | |")  # fmt: skip
    for threads, t_torch, t_ort in backends:
        out.append(f"| our settings, {threads} thread(s): ONNX Runtime backend (optional) vs torch "
                   f"| 20 slices | {t_ort:.2f} s vs {t_torch:.2f} s | {t_torch / t_ort:.2f}x "
                   f"the speed of torch | |")  # fmt: skip
    pairs = [("ours vs MuscleMap settings", ours, theirs),
             ("whole slices vs our windows", whole, ours)]  # fmt: skip
    if onnx is not None:
        pairs.append(("ONNX Runtime vs torch, our windows", onnx, ours))
    for label in model.config.labels:
        if label.muscle != "multifidus":
            continue
        for name, a, b in pairs:
            a, b = a == label.value, b == label.value
            dice = 2 * (a & b).sum() / max(a.sum() + b.sum(), 1)
            volume = 100 * abs(int(a.sum()) - int(b.sum())) / max(int(b.sum()), 1)
            out.append(f"| agreement, multifidus {label.side} | {name} | | "
                       f"Dice {dice:.3f} | volume difference {volume:.2f} % |")  # fmt: skip
    return out
