"""Approved (and reader-corrected, then approved) masks with their images, as a training set:
``images/`` and ``labels/`` folders of NIfTI on the canonical grid, named by study ID, visit and
run, ready for ``python -m imaging train --init`` so the lab fine-tunes on its own scans."""

from __future__ import annotations

import json
from pathlib import Path

from imaging.models import ReviewStatus, SegmentationRun
from imaging.services.pipeline import run_labels, series_image
from imaging.volume import save_nifti


def export_training_set(out: Path) -> list[str]:
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    names = []
    runs = SegmentationRun.objects.filter(review=ReviewStatus.APPROVED).select_related(
        "study__participant", "series"
    )
    for run in runs.order_by("pk"):
        name = f"{run.study.participant.study_id}_{run.study.visit_code}_run{run.pk}"
        image = series_image(run.study, run.series).canonical()
        save_nifti(image, out / "images" / f"{name}.nii.gz")
        save_nifti(run_labels(run), out / "labels" / f"{name}.nii.gz")
        names.append(name)
    (out / "labels.json").write_text(json.dumps(runs.first().label_table if names else []))
    return names
