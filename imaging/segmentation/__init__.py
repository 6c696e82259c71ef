"""Segmentation models (MONAI): MuscleMap-format JSON + state dict, or a MONAI bundle, loaded by
one interface and run slice by slice on the CPU (or a GPU when there is one)."""

from imaging.segmentation.config import ModelConfig, load_config
from imaging.segmentation.infer import InferenceSettings, segment
from imaging.segmentation.model import LoadedModel, load_model

__all__ = [
    "InferenceSettings",
    "LoadedModel",
    "ModelConfig",
    "load_config",
    "load_model",
    "segment",
]
