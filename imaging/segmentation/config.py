"""The MuscleMap model configuration (JSON): network arguments, preprocessing parameters and the
label table. Read only from the file: label parity differs between MuscleMap's models (abdomen:
1 = multifidus right), so nothing about labels is assumed. No torch import."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from imaging.errors import ImagingError
from imaging.labels import Label, parse_label_table

UNET_KEYS = ("spatial_dims", "in_channels", "out_channels", "channels", "strides",
             "num_res_units", "act", "norm")  # fmt: skip


@dataclass(frozen=True)
class ModelConfig:
    unet: dict[str, object]  # monai.networks.nets.UNet keyword arguments
    roi_size: tuple[int, int]
    pix_dim: tuple[float, float, float]  # -1 keeps that axis' spacing (MuscleMap: [1, 1, -1])
    labels: tuple[Label, ...]
    sha256: str
    source: str
    # Confidence thresholds calibrated for this model (``make model``); empty: the defaults.
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def out_channels(self) -> int:
        return int(self.unet["out_channels"])  # type: ignore[call-overload]

    def as_json(self) -> dict[str, object]:
        """The MuscleMap JSON layout (what ``train`` writes beside the weights)."""
        parameters = {"roi_size": list(self.roi_size), "pix_dim": list(self.pix_dim),
                      "amount_of_labels": self.out_channels}  # fmt: skip
        labels = [{"muscle": x.muscle, "side": x.side, "value": x.value} for x in self.labels]
        model = {**self.unet, "num_labels": self.out_channels}
        return {"parameters": parameters, "model": model, "labels": labels}


def config_from_document(document: dict, sha256: str = "", source: str = "") -> ModelConfig:
    try:
        model, parameters = document["model"], document["parameters"]
        unet = {key: model[key] for key in UNET_KEYS}
        roi = tuple(int(v) for v in parameters["roi_size"])
        pix_dim = tuple(float(v) for v in parameters["pix_dim"])
        labels = parse_label_table(document["labels"])
    except (KeyError, TypeError, ValueError) as error:
        raise ImagingError(f"model config {source}: missing or invalid {error}") from error
    if unet["spatial_dims"] != 2 or len(roi) != 2:
        raise ImagingError(f"model config {source}: only 2D slice-wise models are supported")
    if len(pix_dim) != 3:
        raise ImagingError(f"model config {source}: pix_dim must have three values")
    highest = max((label.value for label in labels), default=0)
    if highest >= int(unet["out_channels"]):
        raise ImagingError(
            f"model config {source}: label {highest} needs more than "
            f"{unet['out_channels']} output channels"
        )
    thresholds = dict(document.get("confidence", {}).get("thresholds", {}))
    return ModelConfig(unet, roi, pix_dim, labels, sha256, source,  # type: ignore[arg-type]
                       thresholds)  # fmt: skip


def load_config(path: Path) -> ModelConfig:
    try:
        data = path.read_bytes()
        document = json.loads(data)
    except (OSError, json.JSONDecodeError) as error:
        raise ImagingError(f"model config {path}: {error}") from error
    return config_from_document(document, hashlib.sha256(data).hexdigest(), str(path))
