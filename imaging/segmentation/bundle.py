"""MONAI bundles (``configs/metadata.json``, ``configs/inference.json``, ``models/model.pt``): the
network comes from the bundle's ``network_def``, the label table from the metadata's output
``channel_def`` (names such as ``multifidus_right``), and the window size and spacing from the
inference config (``roi_size``, ``pixdim``; MuscleMap's defaults otherwise). Preprocessing and
inference are then the same as for MuscleMap-format models, so both formats answer alike."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from imaging.errors import ImagingError
from imaging.labels import Label
from imaging.segmentation.config import ModelConfig
from imaging.segmentation.model import read_state_dict
from imaging.volume import file_sha256

DEFAULT_ROI = (112, 112)
DEFAULT_PIXDIM = (1.0, 1.0, -1.0)


def _labels(metadata: dict, folder: Path) -> tuple[Label, ...]:
    try:
        channels = metadata["network_data_format"]["outputs"]["pred"]["channel_def"]
    except KeyError as error:
        raise ImagingError(f"bundle {folder}: metadata has no output channel_def") from error
    labels = []
    for value, name in sorted(channels.items(), key=lambda item: int(item[0])):
        if int(value) == 0:
            continue
        muscle, _, side = str(name).rpartition("_")
        if side not in ("left", "right"):
            muscle, side = str(name), ""
        labels.append(Label(muscle, side, int(value)))
    return tuple(labels)


def load_bundle(folder: Path) -> tuple[torch.nn.Module, ModelConfig, str]:
    """(network with weights, config, weights SHA-256) of a bundle folder."""
    from monai.bundle import ConfigParser

    meta_path, inference_path = folder / "configs/metadata.json", folder / "configs/inference.json"
    weights = folder / "models/model.pt"
    for path in (meta_path, inference_path, weights):
        if not path.exists():
            raise ImagingError(f"bundle {folder}: {path.relative_to(folder)} is missing")
    metadata = json.loads(meta_path.read_text())
    parser = ConfigParser()
    parser.read_config(str(inference_path))
    parser["bundle_root"] = str(folder)
    try:
        network = parser.get_parsed_content("network_def")
    except Exception as error:  # the bundle's own config failed to build; say which part
        raise ImagingError(f"bundle {folder}: network_def cannot be built: {error}") from error
    try:
        network.load_state_dict(read_state_dict(weights), strict=True)
    except RuntimeError as error:
        raise ImagingError(f"bundle {folder}: weights do not fit network_def: {error}") from error
    labels = _labels(metadata, folder)
    config_bytes = meta_path.read_bytes() + inference_path.read_bytes()
    roi = tuple(parser.get("roi_size", DEFAULT_ROI))
    pixdim = tuple(float(v) for v in parser.get("pixdim", DEFAULT_PIXDIM))
    unet = {"spatial_dims": 2, "out_channels": max(label.value for label in labels) + 1}
    config = ModelConfig(unet, roi, pixdim, labels,  # type: ignore[arg-type]
                         hashlib.sha256(config_bytes).hexdigest(), str(folder))  # fmt: skip
    if len(roi) != 2:
        raise ImagingError(f"bundle {folder}: only 2D slice-wise models are supported")
    return network, config, file_sha256(weights)
