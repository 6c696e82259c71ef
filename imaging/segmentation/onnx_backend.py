"""ONNX Runtime as an optional inference backend (``IMAGING_INFERENCE_BACKEND=onnxruntime``).

The same weights, exported once per process from the loaded PyTorch network (so the run's model
SHA-256 still names what ran), then executed by ONNX Runtime's CPU kernels: `make bench` runs
both side by side on the shared series and reports the time and their agreement. Installed
with ``pip install 'strongback-edc[onnx]'``; without it, asking for this backend is an error that
says so (the system check refuses to start).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable

import torch

from imaging.errors import ImagingError
from imaging.inference_backends import onnx_installed
from imaging.segmentation.model import LoadedModel

_sessions: dict[tuple[str, int], object] = {}


def _exported(model: LoadedModel) -> bytes:
    """The network as ONNX, batch and in-plane size left free (windows or whole slices)."""
    channels = int(model.config.unet.get("in_channels", 1))  # type: ignore[call-overload]
    sample = torch.zeros((1, channels, *model.config.roi_size))
    buffer = io.BytesIO()
    free = {0: "batch", 2: "x", 3: "y"}
    with warnings.catch_warnings():  # instance norm "in training mode" is how MONAI builds it
        warnings.simplefilter("ignore")
        torch.onnx.export(model.network.cpu().eval(), (sample,), buffer, dynamo=False,
                          input_names=["image"], output_names=["logits"], opset_version=17,
                          dynamic_axes={"image": free, "logits": free})  # fmt: skip
    return buffer.getvalue()


def onnx_network(model: LoadedModel, threads: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """A callable the sliding-window inferer can use in place of the PyTorch network."""
    if not onnx_installed():
        raise ImagingError(
            "IMAGING_INFERENCE_BACKEND is onnxruntime but onnxruntime (or onnx) is not "
            "installed: pip install 'strongback-edc[onnx]', or use the torch backend"
        )
    import onnxruntime

    key = (model.sha256, threads)
    if key not in _sessions:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        _sessions[key] = onnxruntime.InferenceSession(
            _exported(model), options, providers=["CPUExecutionProvider"]
        )
    session = _sessions[key]

    def run(batch: torch.Tensor) -> torch.Tensor:
        array = batch.detach().cpu().numpy().astype("float32", copy=False)
        return torch.from_numpy(session.run(None, {"image": array})[0])  # type: ignore[attr-defined]

    return run
