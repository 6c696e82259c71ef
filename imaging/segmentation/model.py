"""Build the network a config declares and load its weights; every result carries the model's
SHA-256 (config and weights together) for provenance."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import torch
from monai.networks.nets import UNet

from imaging.errors import ImagingError
from imaging.segmentation.config import ModelConfig, load_config
from imaging.volume import file_sha256


@dataclass
class LoadedModel:
    network: torch.nn.Module
    config: ModelConfig
    weights_sha256: str
    name: str

    @property
    def sha256(self) -> str:
        """One identity for what produced a mask: the config and the weights."""
        return hashlib.sha256(f"{self.config.sha256}:{self.weights_sha256}".encode()).hexdigest()

    def provenance(self) -> dict[str, str]:
        return {"name": self.name, "sha256": self.sha256, "config_sha256": self.config.sha256,
                "weights_sha256": self.weights_sha256}  # fmt: skip


def build_network(config: ModelConfig) -> torch.nn.Module:
    return UNet(**config.unet)  # type: ignore[arg-type]


def read_state_dict(path: Path) -> dict:
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError, ValueError) as error:
        raise ImagingError(f"model weights {path}: {error}") from error
    for key in ("state_dict", "model_state_dict", "model"):  # training checkpoints wrap it
        if isinstance(loaded, dict) and isinstance(loaded.get(key), dict):
            loaded = loaded[key]
    if not isinstance(loaded, dict):
        raise ImagingError(f"model weights {path}: not a state dict")
    return {k.removeprefix("module."): v for k, v in loaded.items()}


def state_sha256(network: torch.nn.Module) -> str:
    buffer = io.BytesIO()
    torch.save(network.state_dict(), buffer)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def load_model(
    config_path: Path, weights: Path | None = None, *, random_seed: int | None = None
) -> LoadedModel:
    """The config's network with its weights (``random_seed`` instead: untrained, for tests).
    A folder is read as a MONAI bundle."""
    if config_path.is_dir():
        from imaging.segmentation.bundle import load_bundle

        network, config, weights_sha = load_bundle(config_path)
        network.eval()
        return LoadedModel(network, config, weights_sha, config_path.name)
    config = load_config(config_path)
    network = build_network(config)
    if weights is not None:
        try:
            network.load_state_dict(read_state_dict(weights), strict=True)
        except RuntimeError as error:
            raise ImagingError(
                f"model weights {weights} do not fit the architecture in {config_path}: "
                f"{str(error).splitlines()[0]}"
            ) from error
        weights_sha = file_sha256(weights)
    elif random_seed is not None:
        torch.manual_seed(random_seed)
        network = build_network(config)
        weights_sha = state_sha256(network)
    else:
        raise ImagingError(f"no weights given for {config_path} (pass the .pth file)")
    network.eval()
    return LoadedModel(network, config, weights_sha, config_path.stem)
