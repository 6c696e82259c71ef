"""ONNX Runtime as the optional inference backend: the same weights give the same labels as
PyTorch, the run records which backend ran, and a mistyped or missing backend stops start-up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from imaging.phantoms.lumbar import lumbar_phantom
from imaging.segmentation import InferenceSettings, load_model
from imaging.segmentation.infer import probabilities, segment_with_report
from imaging.services.segmenters import model_labels


def _model() -> object:
    config = Path(settings.IMAGING_MODEL_CONFIG)
    return load_model(config, config.with_suffix(".pth"))


def test_onnxruntime_gives_the_labels_torch_gives() -> None:
    model, image = _model(), lumbar_phantom(11, slices=3).image
    torch_soft = probabilities(image, model, InferenceSettings(threads=1))
    onnx_soft = probabilities(image, model, InferenceSettings(threads=1, backend="onnxruntime"))
    assert np.abs(torch_soft - onnx_soft).max() < 1e-3
    torch_labels, _ = segment_with_report(image, model, InferenceSettings(threads=1))
    onnx_labels, report = segment_with_report(
        image, model, InferenceSettings(threads=1, backend="onnxruntime")
    )
    for label in model.config.labels:
        a, b = torch_labels == label.value, onnx_labels == label.value
        assert a.sum() > 0
        assert 2 * (a & b).sum() / (a.sum() + b.sum()) >= 0.99, label
    assert report.inference["backend"] == "onnxruntime"


@pytest.mark.django_db
@override_settings(IMAGING_INFERENCE_BACKEND="onnxruntime")
def test_the_configured_backend_runs_and_is_recorded_with_the_run() -> None:
    labels = model_labels(lumbar_phantom(12, slices=2).image)
    assert labels.confidence.inference == {
        "backend": "onnxruntime", "overlap": settings.IMAGING_MODEL_OVERLAP, "whole_slices": False
    }  # fmt: skip
    assert labels.confidence.as_json()["inference"]["backend"] == "onnxruntime"


def test_an_unknown_backend_stops_start_up() -> None:
    with override_settings(IMAGING_INFERENCE_BACKEND="tensorrt"):
        assert "imaging.E002" in {e.id for e in run_checks()}
    with override_settings(IMAGING_SEGMENTER="nnunet"):
        assert "imaging.E001" in {e.id for e in run_checks()}
    assert not {e.id for e in run_checks()} & {"imaging.E001", "imaging.E002", "imaging.E003"}


def test_asking_for_onnxruntime_without_it_is_refused_by_name(monkeypatch) -> None:
    """Where the extra is not installed, start-up stops (E003) and a run says what to install."""
    import imaging.checks
    import imaging.segmentation.onnx_backend as backend
    from imaging.errors import ImagingError

    monkeypatch.setattr(imaging.checks, "onnx_installed", lambda: False)
    monkeypatch.setattr(backend, "onnx_installed", lambda: False)
    with override_settings(IMAGING_INFERENCE_BACKEND="onnxruntime"):
        assert "imaging.E003" in {e.id for e in run_checks()}
    with pytest.raises(ImagingError, match=r"strongback-edc\[onnx\]"):
        backend.onnx_network(_model(), 1)
