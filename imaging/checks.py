"""Fail-fast checks of the imaging set-up: a mistyped backend or segmenter would otherwise fail
only when the first study is processed, in a worker log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from imaging.inference_backends import BACKENDS, onnx_installed


@register()
def check_segmentation(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Named without importing torch (every start runs the checks)."""
    problems = []
    if settings.IMAGING_SEGMENTER not in ("model", "reference"):
        problems.append(
            Error(
                f"IMAGING_SEGMENTER is {settings.IMAGING_SEGMENTER!r}.",
                hint="Use model or reference.",
                id="imaging.E001",
            )
        )
    backend = settings.IMAGING_INFERENCE_BACKEND
    if backend not in BACKENDS:
        problems.append(
            Error(
                f"IMAGING_INFERENCE_BACKEND is {backend!r}.",
                hint=f"Use one of {', '.join(BACKENDS)}.",
                id="imaging.E002",
            )
        )
    elif backend == "onnxruntime" and not onnx_installed():
        problems.append(
            Error(
                "IMAGING_INFERENCE_BACKEND is onnxruntime but it is not installed.",
                hint="pip install 'strongback-edc[onnx]', or use torch.",
                id="imaging.E003",
            )
        )
    return problems
