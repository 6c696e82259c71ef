"""The segmentation backends and whether the optional one is installed, without importing torch
(the system checks read this at every start)."""

from __future__ import annotations

from importlib.util import find_spec

BACKENDS = ("torch", "onnxruntime")


def onnx_installed() -> bool:
    """ONNX Runtime runs the model; onnx is what torch.onnx.export writes with."""
    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None
