"""Slice-wise inference exactly as MuscleMap preprocesses: orientation to RAS, in-plane
resampling to ``pix_dim`` (bilinear), z-normalisation over non-zero voxels, 2D sliding windows with
Gaussian blending over each axial slice, the prediction inverted back onto the image's own grid,
argmax, and optionally the largest connected component per label.

The image enters in its canonical form (slice axis last), so a NIfTI with permuted or flipped axes
and the DICOM series of the same acquisition give the same input to the network.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from monai.data import MetaTensor
from monai.inferers import SliceInferer
from monai.transforms import Compose, NormalizeIntensity, Orientation, Spacing

from imaging.errors import ImagingError
from imaging.segmentation.confidence import Report, Thresholds, assess, largest_components
from imaging.segmentation.config import ModelConfig
from imaging.segmentation.model import LoadedModel
from imaging.volume import RAS_TO_LPS, Volume

MUSCLEMAP_OVERLAP = 0.9  # MuscleMap's default SliceInferer overlap
RAS_LABELS = (("L", "R"), ("P", "A"), ("I", "S"))


@dataclass(frozen=True)
class InferenceSettings:
    overlap: float = 0.75  # measured: 12x faster than 0.9, multifidus Dice 0.98+ against it
    batch_size: int = 16  # windows per forward pass
    largest_component: bool = True
    threads: int = 0  # 0: the worker's CPU count (its affinity mask)
    device: str = "auto"
    # Whole slices (padded to the network's stride) in place of windows: 4x faster on the shared
    # series, but multifidus Dice 0.95-0.96 against the windows (instance normalisation sees a
    # whole slice, not a 112-px window), under the 0.98 a switch needs; kept off, measured in
    # make bench.
    whole_slices: bool = False
    backend: str = "torch"  # or "onnxruntime" (optional: imaging.segmentation.onnx_backend)

    def torch_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        return torch.device(self.device)


MUSCLEMAP_SETTINGS = InferenceSettings(overlap=MUSCLEMAP_OVERLAP, batch_size=1,
                                       largest_component=False)  # fmt: skip


def _threads(settings: InferenceSettings) -> int:
    """The configured count; else OMP_NUM_THREADS (a deployment's or a test worker's share of
    the cores); else every core this process may use."""
    if settings.threads:
        return settings.threads
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def preprocessing(config: ModelConfig, labels: bool = False) -> Compose:
    """MuscleMap's preprocessing; for label maps, nearest-neighbour and no normalisation (the
    training data goes through the very same transforms as the images at inference)."""
    steps = [
        Orientation(axcodes="RAS", labels=RAS_LABELS),
        Spacing(pixdim=config.pix_dim, mode="nearest" if labels else "bilinear"),
    ]
    if not labels:
        steps.append(NormalizeIntensity(nonzero=True, channel_wise=True))
    return Compose(steps)


def as_meta(volume: Volume, array: np.ndarray | None = None) -> MetaTensor:
    """The canonical array (or ``array`` on the canonical grid) with its RAS affine, quantised."""
    canonical = volume.canonical()
    data = canonical.array if array is None else array
    affine = quantised_affine(RAS_TO_LPS @ canonical.affine)
    return MetaTensor(
        torch.as_tensor(data.astype(np.float32))[None], affine=torch.as_tensor(affine)
    )


def quantised_affine(affine: np.ndarray) -> np.ndarray:
    """The affine with spacings to 0.1 µm, direction cosines to 1e-5 and the origin to 0.1 µm:
    DICOM stores positions as decimal strings, so the same acquisition read from DICOM and from
    NIfTI differs by ~1e-5 mm, which must not change what the network sees."""
    spacing = np.linalg.norm(affine[:3, :3], axis=0)
    out = np.eye(4)
    out[:3, :3] = np.round(affine[:3, :3] / spacing, 5) * np.round(spacing, 4)
    out[:3, 3] = np.round(affine[:3, 3], 4)
    return out


def _whole_slice_logits(
    prepared: torch.Tensor, network: torch.nn.Module, model: LoadedModel, batch: int
) -> torch.Tensor:
    """Logits (labels, x, y, z) from whole axial slices, each padded to a multiple of the
    network's total stride (a UNet is fully convolutional) and cropped back."""
    slices = prepared.permute(3, 0, 1, 2)  # (z, 1, x, y)
    multiple = int(np.prod(model.config.unet.get("strides", [1])))
    width, height = slices.shape[-2:]
    padded = torch.nn.functional.pad(slices, (0, -height % multiple, 0, -width % multiple))
    logits = torch.cat([network(padded[i : i + batch]) for i in range(0, len(padded), batch)])
    return logits[..., :width, :height].permute(1, 2, 3, 0)


def _network(
    model: LoadedModel, settings: InferenceSettings, device: torch.device
) -> Callable[[torch.Tensor], torch.Tensor]:
    if settings.backend == "onnxruntime":
        from imaging.segmentation.onnx_backend import onnx_network

        return onnx_network(model, _threads(settings))
    if settings.backend != "torch":
        raise ImagingError(f"unknown inference backend {settings.backend!r}")
    return model.network.to(device)


def probabilities(volume: Volume, model: LoadedModel, settings: InferenceSettings) -> np.ndarray:
    """Softmax per label on the canonical grid of ``volume``: (labels, x, y, z)."""
    torch.set_num_threads(_threads(settings))
    device = settings.torch_device()
    transform = preprocessing(model.config)
    prepared = transform(as_meta(volume))
    network = _network(model, settings, device)
    with torch.inference_mode():
        if settings.whole_slices:
            tensor = prepared.as_tensor().to(device)
            logits = _whole_slice_logits(tensor, network, model, settings.batch_size)
        else:
            inferer = SliceInferer(roi_size=model.config.roi_size,
                                   sw_batch_size=settings.batch_size, spatial_dim=2,
                                   overlap=settings.overlap, mode="gaussian",
                                   progress=False)  # fmt: skip
            logits = inferer(prepared[None].to(device), network)[0]
        soft = torch.softmax(logits, dim=0).cpu()
    soft = MetaTensor(soft, meta=prepared.meta, applied_operations=prepared.applied_operations)
    inverted = transform.inverse(soft)
    return np.asarray(inverted)


def _labels(soft: np.ndarray, model: LoadedModel, settings: InferenceSettings) -> np.ndarray:
    labels = np.argmax(soft, axis=0)
    labels = labels.astype(np.uint8 if model.config.out_channels < 256 else np.uint16)
    return largest_components(labels) if settings.largest_component else labels


def segment(
    volume: Volume, model: LoadedModel, settings: InferenceSettings | None = None
) -> np.ndarray:
    """A label map (uint8/uint16) on ``volume``'s own grid and index order."""
    settings = settings or InferenceSettings()
    return volume.from_canonical(_labels(probabilities(volume, model, settings), model, settings))


def segment_with_report(
    volume: Volume, model: LoadedModel, settings: InferenceSettings | None = None
) -> tuple[np.ndarray, Report]:
    """``segment`` and its confidence report (the model's calibrated thresholds), from one pass."""
    settings = settings or InferenceSettings()
    soft = probabilities(volume, model, settings)
    labels = _labels(soft, model, settings)
    thresholds = Thresholds(**model.config.thresholds)
    report = assess(volume.canonical(), soft, model.config.labels, thresholds, labels)
    inference = {"backend": settings.backend, "overlap": settings.overlap,
                 "whole_slices": settings.whole_slices}  # fmt: skip
    report = replace(report, inference=inference)
    return volume.from_canonical(labels), report
