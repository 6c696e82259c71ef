"""Register a loaded model once (by SHA-256); the model segmenter does it on first use."""

from __future__ import annotations

import json
from pathlib import Path

from imaging.models.registry import ModelFormat, SegmentationModel


def register(
    model: object, config_path: Path, version: str = "", training_data: str = ""
) -> SegmentationModel:
    """The registry row of ``model`` (an ``imaging.segmentation.LoadedModel``), made if new."""
    existing = SegmentationModel.objects.filter(sha256=model.sha256).first()
    if existing is not None:
        return existing
    document = json.loads(config_path.read_text())
    training = document.get("training") or {}
    row = SegmentationModel(
        name=model.name, version=version or str(document.get("version", "")),
        format=ModelFormat.MUSCLEMAP, sha256=model.sha256,
        config_sha256=model.config.sha256, weights_sha256=model.weights_sha256,
        config_path=str(config_path),
        label_table=[{"muscle": l.muscle, "side": l.side, "value": l.value}
                     for l in model.config.labels],  # noqa: E741
        training_data=training_data or json.dumps(training)[:5000],
        evaluation=document.get("evaluation") or {},
    )  # fmt: skip
    row.save(reason="segmentation model registered")
    return row
