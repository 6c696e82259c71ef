"""A MONAI bundle and the same weights in MuscleMap format segment alike; a bundle missing its
weights is refused by name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from imaging.cli import main
from imaging.errors import ImagingError
from imaging.phantoms.lumbar import lumbar_phantom
from imaging.segmentation import InferenceSettings, load_model, segment
from imaging.segmentation.config import load_config
from imaging.segmentation.model import build_network

ARCHITECTURE = Path(__file__).parents[1] / "imaging/segmentation/default/architecture.json"


def _bundle(folder: Path, state: dict) -> Path:
    config = load_config(ARCHITECTURE)
    (folder / "configs").mkdir(parents=True)
    (folder / "models").mkdir()
    torch.save(state, folder / "models/model.pt")
    names = {"0": "background"}
    names |= {str(label.value): f"{label.muscle}_{label.side}" for label in config.labels}
    metadata = {"version": "0.1.0", "network_data_format": {"outputs": {"pred": {
        "type": "image", "num_channels": 5, "channel_def": names}}}}  # fmt: skip
    network = {"_target_": "monai.networks.nets.UNet", **config.unet}
    inference = {"roi_size": list(config.roi_size), "pixdim": list(config.pix_dim),
                 "network_def": network}  # fmt: skip
    (folder / "configs/metadata.json").write_text(json.dumps(metadata))
    (folder / "configs/inference.json").write_text(json.dumps(inference))
    return folder


def test_bundle_and_musclemap_format_give_the_same_labels(tmp_path: Path, capsys) -> None:
    torch.manual_seed(3)
    state = build_network(load_config(ARCHITECTURE)).state_dict()
    bundle = _bundle(tmp_path / "bundle", state)
    weights = tmp_path / "mm.pth"
    torch.save(state, weights)
    image = lumbar_phantom(11, slices=3).image
    settings = InferenceSettings(overlap=0.25, threads=1)
    from_bundle = load_model(bundle)
    from_musclemap = load_model(ARCHITECTURE, weights)
    assert [l.value for l in from_bundle.config.labels] == [1, 2, 3, 4]  # noqa: E741
    assert from_bundle.config.labels == from_musclemap.config.labels
    assert len(from_bundle.sha256) == 64 and from_bundle.sha256 != from_musclemap.sha256
    assert np.array_equal(segment(image, from_bundle, settings),
                          segment(image, from_musclemap, settings))  # fmt: skip

    (bundle / "models/model.pt").unlink()
    try:
        load_model(bundle)
    except ImagingError as error:
        assert "models/model.pt is missing" in str(error)
    else:
        raise AssertionError("a bundle without weights was accepted")
    from imaging.volume import save_nifti

    save_nifti(image, tmp_path / "image.nii.gz")
    args = ["segment", "--image", str(tmp_path / "image.nii.gz"), "--model", str(bundle),
            "--out", str(tmp_path / "out.nii.gz")]  # fmt: skip
    assert main(args) == 2
    assert "models/model.pt is missing" in capsys.readouterr().err
