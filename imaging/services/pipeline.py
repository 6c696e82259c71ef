"""The pipeline's steps as explicit functions: select, segment, measure, write back.

Each step moves the study to its state, reports progress, and on a refusal (ImagingError) or any
unexpected error leaves the study FAILED with the message: a study is never left mid-step.
Steps are idempotent: a run is keyed by study + series (database ids) + label hash + code version,
and a run that already has metrics is not measured again. The study is part of the key: the same
images stored for two participants give two independent runs, never a shared one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imaging import CODE_VERSION
from imaging.errors import ImagingError
from imaging.labels import Label, label_array, parse_label_table
from imaging.metrics.levels import parse_discs
from imaging.metrics.measure import MeasureInputs, measure
from imaging.metrics.result import Metrics, MuscleMetrics
from imaging.models import (
    DiscLevels,
    ImagingSeries,
    ImagingSource,
    ImagingStudy,
    MuscleMetric,
    ReviewStatus,
    SegmentationRun,
    StudyStatus,
)
from imaging.pacs.orthanc import PacsUnavailable
from imaging.qc.plausibility import asymmetry_flags, change_flags
from imaging.segmentation.confidence import Report
from imaging.selection.rules import SeriesSummary, load_rules, select_series
from imaging.services.disc_levels import propose as propose_levels
from imaging.services.segmenters import Labels, segment
from imaging.services.series_images import (
    dixon_images,
    fat_method_for,
    proposal_image,
    sagittal_series,
    series_image,
)
from imaging.services.storage import nifti_path, run_folder
from imaging.volume import Volume, load_nifti, save_nifti
from trial.protocol import PROTOCOL
from trial.redaction import without_server_paths

log = logging.getLogger(__name__)


class StepFailed(Exception):
    """Raised after a study was marked failed, to stop the chain."""


def progress(study: ImagingStudy, percent: int, detail: str = "") -> None:
    """Report progress; also the worker's heartbeat, which the watchdog reads."""
    study.step_progress = max(0, min(100, percent))
    study.step_detail = detail[:200]
    study.heartbeat_at = timezone.now()
    study.save(update_fields=["step_progress", "step_detail", "heartbeat_at", "updated_at"])


def move(study: ImagingStudy, status: str, reason: str) -> None:
    study.status = status
    study.step_progress = 0
    study.step_detail = ""
    study.heartbeat_at = timezone.now()
    study.save(reason=reason)


def fail(study: ImagingStudy, message: str) -> None:
    """FAILED with ``message`` as the page will show it (server paths removed)."""
    study.refresh_from_db()
    study.status = StudyStatus.FAILED
    message = without_server_paths(message)
    study.error = message
    study.save(reason=f"imaging step failed: {message[:200]}")


@contextmanager
def step(study: ImagingStudy, status: str) -> Iterator[None]:
    """Run one step: state on entry; FAILED with the message on any error."""
    move(study, status, f"imaging step: {status}")
    try:
        yield
    except ImagingError as error:
        fail(study, str(error))
        raise StepFailed(str(error)) from error
    except StepFailed:
        raise
    except Exception as error:
        if isinstance(error, PacsUnavailable | Retry):
            raise  # the task retries with back-off; the study is not failed
        log.exception("imaging step %s of study %s", status, study.pk)
        fail(study, f"internal error in {status} ({type(error).__name__}): {error}")
        raise StepFailed(str(error)) from error


# --- selection --------------------------------------------------------------------------------
def _summary(series: ImagingSeries) -> SeriesSummary:
    data = dict(series.summary)
    for key in ("image_type", "normal", "pixel_spacing"):
        if data.get(key) is not None:
            data[key] = tuple(data[key])
    return SeriesSummary(**data)


def select(study: ImagingStudy) -> ImagingSeries:
    with step(study, StudyStatus.SELECTING):
        rows = list(study.series.all())
        if study.source == ImagingSource.NIFTI:
            chosen = rows[0]
            chosen.chosen, chosen.eligible, chosen.role = True, True, "nifti"
            chosen.reasons = ["chosen: NIfTI upload (no DICOM header to select on)"]
            chosen.save(reason="series selection")
            return chosen
        overridden = next((row for row in rows if row.overridden_by_id and row.chosen), None)
        rules_path = Path(settings.IMAGING_RULES_FILE) if settings.IMAGING_RULES_FILE else None
        decisions = {
            d.series_uid: d
            for d in select_series([_summary(r) for r in rows], load_rules(rules_path))
        }
        with transaction.atomic():
            for row in sorted(rows, key=lambda r: r.chosen):  # unchoose before choosing
                decision = decisions[row.series_uid]
                row.eligible, row.role, row.reasons = (
                    decision.eligible,
                    decision.role,
                    decision.reasons,
                )
                row.paired_series_uid = decision.paired_series_uid
                if row is overridden:
                    row.reasons = [*row.reasons, f"chosen by the reader: {row.override_reason}"]
                if overridden is None:
                    row.chosen = decision.chosen
                row.save(reason="series selection")
        chosen = overridden or next((r for r in rows if decisions[r.series_uid].chosen), None)
        if chosen is None:
            summary = "; ".join(f"{r.description or r.series_uid}: {r.reasons[0]}" for r in rows)
            raise ImagingError(f"no eligible axial T2 series or Dixon water/fat pair ({summary})")
        return chosen


# --- segmentation -----------------------------------------------------------------------------
def _labels_for(study: ImagingStudy, image: Volume) -> Labels:
    upload = nifti_path(study, "labels.nii.gz")
    if study.source == ImagingSource.NIFTI and upload.exists():
        from imaging.labels import MUSCLEMAP_ABDOMEN
        from imaging.services.segmenters import labels_from_upload

        return labels_from_upload(image, upload, MUSCLEMAP_ABDOMEN)
    return segment(image)


def run_key(study: ImagingStudy, series: ImagingSeries, labels_sha256: str) -> str:
    return f"study-{study.pk}:series-{series.pk}:{labels_sha256[:16]}:{CODE_VERSION}"


def create_run(
    study: ImagingStudy, series: ImagingSeries, image: Volume, labels: Labels
) -> SegmentationRun:
    """The run for these labels, or the one a previous delivery of the task already made."""
    if series.study_id != study.pk:
        raise ImagingError("that series belongs to another study")
    key = run_key(study, series, labels.sha256)
    with transaction.atomic():
        run = SegmentationRun.objects.select_for_update().filter(key=key).first()
        created = run is None
        if created:
            run = SegmentationRun(
                study=study, series=series, key=key, label_source=labels.source,
                model_name=labels.name[:128], model_sha256=labels.sha256,
                code_version=CODE_VERSION, fat_method=fat_method_for(study),
                label_table=[vars(label) for label in labels.table],
                confidence=labels.confidence.as_json() if labels.confidence else {},
                needs_correction=bool(labels.confidence and labels.confidence.needs_correction),
            )  # fmt: skip
            run.save(reason="segmentation run created")
    path = run_folder(run) / "labels.nii.gz"
    if created or not path.exists():  # a new run never reads a file it did not write
        save_nifti(image.canonical().with_array(labels.array.astype(np.uint8)), path)
    return run


def segment_series(study: ImagingStudy, series: ImagingSeries) -> SegmentationRun:
    with step(study, StudyStatus.SEGMENTING):
        progress(study, 10, "building the volume")
        image = series_image(study, series)
        progress(study, 40, f"segmenting with {settings.IMAGING_SEGMENTER}")
        labels = _labels_for(study, image)
        progress(study, 90, "saving the labels")
        return create_run(study, series, image, labels)


# --- measurement ------------------------------------------------------------------------------
def run_table(run: SegmentationRun) -> tuple[Label, ...]:
    return parse_label_table(run.label_table)


def run_labels(run: SegmentationRun) -> Volume:
    return load_nifti(run_folder(run) / "labels.nii.gz")


def _baseline_muscles(run: SegmentationRun) -> tuple[MuscleMetrics, ...] | None:
    if run.study.visit_code == PROTOCOL.baseline_visit:
        return None
    earlier = (
        SegmentationRun.objects.filter(
            study__participant=run.study.participant, study__visit_code=PROTOCOL.baseline_visit,
            review=ReviewStatus.APPROVED,
        ).order_by("-reviewed_at").first()
    )  # fmt: skip
    if earlier is None or not earlier.result.get("muscles"):
        return None
    return Metrics.from_json(earlier.result).muscles


def measure_run(run: SegmentationRun, *, replace_reason: str = "") -> SegmentationRun:
    """Measure a run's labels; with ``replace_reason`` earlier metrics are replaced (audited)."""
    study = run.study
    with step(study, StudyStatus.MEASURING):
        if run.metrics.exists() and not replace_reason:
            move(study, StudyStatus.QC_PENDING, "already measured")
            return run
        image = series_image(study, run.series)
        labels = run_labels(run)
        table = run_table(run)
        dixon = dixon_images(study, (run.series, image)) if run.fat_method == "dixon" else None
        progress(study, 15, "proposing disc planes")
        propose_levels(study, proposal_image(image, dixon), labels, table,
                       lambda: sagittal_series(study, run.series))  # fmt: skip
        progress(study, 20, "measuring")
        levels = DiscLevels.objects.filter(study=study).first()
        discs = parse_discs({"discs": levels.discs}) if levels and levels.discs else None
        result = measure(MeasureInputs(
            image=image, labels=labels, table=table, discs=discs,
            fat_method=run.fat_method, erode=settings.IMAGING_ERODE_VOXELS,
            fat=dixon.fat if dixon else None, water=dixon.water if dixon else None,
            fat_source=dixon.fat_source if dixon else None,
            water_source=dixon.water_source if dixon else None,
            same_acquisition=study.same_acquisition_stated,
        ))  # fmt: skip
        flags = [*result.qc_flags, *asymmetry_flags(result.muscles), *confidence_flags(run)]
        baseline = _baseline_muscles(run)
        if baseline:
            flags += change_flags(result.muscles, baseline)
        progress(study, 60, "drawing QC overlays")
        write_overlays(run, image.canonical(), label_array(labels.canonical()), table, discs)
        with transaction.atomic():
            # Two deliveries of the task (a redelivered message and the watchdog's) may measure
            # at once: the run's row lock makes the second see the first one's metrics.
            SegmentationRun.objects.select_for_update().filter(pk=run.pk).first()
            if run.metrics.exists() and not replace_reason:
                move(study, StudyStatus.QC_PENDING, "already measured by another delivery")
                return run
            for old in list(run.metrics.all()):
                old.delete(reason=replace_reason)
            _save_metrics(run, result)
            run.result, run.qc_flags = result.to_json(), flags
            run.review = ReviewStatus.PENDING
            run.save(reason=replace_reason or "measured")
        move(study, StudyStatus.QC_PENDING, "measured: awaiting the reader")
        return run


def confidence_flags(run: SegmentationRun) -> list[str]:
    """The confidence report as QC flags the reader sees beside the others."""
    if not run.confidence:
        return []
    report = Report.from_json(run.confidence)
    flags = [f"segmentation: {problem}" for problem in report.problems]
    threshold = report.thresholds.get("min_score")
    if threshold is not None and report.score < threshold:
        flags.append(
            f"segmentation confidence {report.score:.2f} is below {threshold:.2f}: "
            "the model is unsure of this image"
        )
    return flags


def _save_metrics(run: SegmentationRun, result: Metrics) -> None:
    common = {
        "fat_method": result.fat_method, "parameters": result.fat_parameters,
        "image_sha256": result.image.sha256,
        "labels_sha256": result.provenance.labels_sha256 or run.model_sha256,
    }  # fmt: skip
    rows = []
    for muscle in result.muscles:
        key = {"run": run, "muscle": muscle.muscle, "side": muscle.side}
        rows.append(
            MuscleMetric(
                **key,
                level="all",
                csa_mm2=None,
                mean_csa_mm2=muscle.mean_csa_mm2,
                volume_mm3=muscle.volume_mm3,
                n_slices=muscle.n_slices,
                fat_fraction_pct=muscle.fat_fraction_pct,
                **common,
            )
        )
        if muscle.volume_l1_l5_mm3 is not None:
            rows.append(
                MuscleMetric(
                    **key,
                    level="L1-L5",
                    volume_mm3=muscle.volume_l1_l5_mm3,
                    n_slices=sum(level.n_slices for level in muscle.levels),
                    **common,
                )
            )
        for level in muscle.levels:
            rows.append(
                MuscleMetric(
                    **key,
                    level=level.level,
                    csa_mm2=level.csa_mm2,
                    mean_csa_mm2=level.mean_csa_mm2,
                    volume_mm3=level.volume_mm3,
                    n_slices=level.n_slices,
                    fat_fraction_pct=level.fat_fraction_pct,
                    **common,
                )
            )
    MuscleMetric.objects.bulk_create(rows)


def write_overlays(
    run: SegmentationRun,
    image: Volume,
    labels: np.ndarray,
    table: tuple[Label, ...],
    discs: dict[str, np.ndarray] | None,
) -> list[str]:
    """PNG overlays of a canonical image: each level's mid slice, else five spaced slices.

    ``index.json`` maps each file name (without .png) to its slice for the review page."""
    from imaging.metrics.levels import assign_levels
    from imaging.qc.overlays import overlay_png

    targets: dict[str, int] = {}
    for level in assign_levels(image, discs) if discs else []:
        if level.mid_slice is not None:
            targets[level.name] = level.mid_slice
    if not targets:
        depth = image.shape[2]
        evenly = sorted(set(np.linspace(0, depth - 1, 5).round().astype(int).tolist()))
        targets = {f"slice-{k + 1}": int(k) for k in evenly}
    folder = run_folder(run) / "overlays"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for name, k in targets.items():
        (folder / f"{name}.png").write_bytes(overlay_png(image.array, labels, table, k))
    (folder / "index.json").write_text(json.dumps(targets))
    return list(targets)
