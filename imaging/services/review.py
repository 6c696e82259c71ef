"""The reader's decisions: approve or reject a run, correct its mask, override the series,
set the disc levels. Each is audited with the reader's reason."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path, PurePath

from django.db import transaction
from django.utils import timezone

from imaging.errors import ImagingError
from imaging.metrics.levels import parse_discs
from imaging.models import (
    ImagingSeries,
    ImagingStudy,
    ReviewStatus,
    SegmentationRun,
    StudyStatus,
)
from imaging.services.pipeline import create_run, run_table, series_image
from imaging.services.segmenters import labels_from_upload


def decide(run: SegmentationRun, user: object, approve: bool, reason: str = "") -> None:
    """Approve (the metrics reach exports) or reject (with a reason) a measured run."""
    if run.review != ReviewStatus.PENDING or run.study.status != StudyStatus.QC_PENDING:
        raise ImagingError("only a measured run awaiting review can be approved or rejected")
    if not run.result:
        raise ImagingError("this mask is still being measured: wait for its metrics")
    if not approve and not reason.strip():
        raise ImagingError("a rejection needs a reason")
    if approve and run.needs_correction and not reason.strip():
        raise ImagingError(
            "this segmentation needs correction (the model is unsure or its shapes are "
            "implausible): upload a corrected mask, or approve with a reason that says why "
            "the masks are right"
        )
    if approve and run.study.warnings and not reason.strip():
        raise ImagingError(
            "this study has warnings to resolve (" + " ".join(run.study.warnings) + ") — "
            "approve only with a reason that says how they were checked"
        )
    with transaction.atomic():
        run.review = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
        run.reviewed_by = user
        run.reviewed_at = timezone.now()
        run.review_reason = reason.strip()
        run.save(reason=reason.strip() or "approved by the imaging reader")
        study = run.study
        study.status = StudyStatus.APPROVED if approve else StudyStatus.REJECTED
        study.save(reason=reason.strip() or "imaging metrics approved")


def correct_mask(
    run: SegmentationRun, user: object, data: bytes, name: str, reason: str
) -> SegmentationRun:
    """A corrected mask (NIfTI or DICOM SEG) becomes a new run, to be measured by the
    ``measure_run`` task (``queue_measurement``); the old one is superseded. Nothing changes if
    the mask does not fit the image (checked here, in the request)."""
    if not reason.strip():
        raise ImagingError("a corrected mask needs a reason")
    study = run.study
    image = series_image(study, run.series)
    table = run_table(run)
    shown = PurePath(name).name or "mask"  # the upload's own name: messages and provenance only
    suffix = next((s for s in (".nii.gz", ".nii") if shown.lower().endswith(s)), ".dcm")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"corrected{suffix}"  # never a name the client chose
        path.write_bytes(data)
        if suffix == ".dcm":
            labels = _labels_from_seg(run, image, path, table, shown)
        else:
            labels = labels_from_upload(image, path, table, name=shown)
    with transaction.atomic():
        new = create_run(study, run.series, image, labels)
        if new.pk == run.pk:
            raise ImagingError("the uploaded mask is identical to the current one")
        run.review = ReviewStatus.SUPERSEDED
        run.reviewed_by, run.reviewed_at, run.review_reason = user, timezone.now(), reason
        run.save(reason=f"superseded by a corrected mask: {reason}")
    return new


def queue_measurement(run: SegmentationRun, why: str, replace_reason: str = "") -> bool:
    """Send the run's measurement to the imaging queue; with ``replace_reason`` its earlier
    metrics are replaced (audited). False: the broker was down; the watchdog sends it again."""
    from django.conf import settings

    from imaging.tasks import measure_run as measure_task
    from trial.dispatch import send

    return send(
        lambda: measure_task.apply_async(
            (run.pk, replace_reason), queue=settings.IMAGING_TASK_QUEUE
        ),
        f"measurement of run {run.pk} ({why})",
    )


def _labels_from_seg(run: SegmentationRun, image: object, path: Path, table: tuple, shown: str):
    import pydicom

    from imaging.dicom.frames import read_datasets
    from imaging.dicom.seg import labels_from_segmentation
    from imaging.services.segmenters import Labels
    from imaging.services.storage import series_folder
    from imaging.volume import file_sha256

    try:
        seg = pydicom.dcmread(path)
    except Exception as error:
        raise ImagingError(f"{shown}: neither NIfTI nor a readable DICOM SEG") from error
    if seg.get("Modality") != "SEG":
        raise ImagingError(f"{shown}: a DICOM {seg.get('Modality', '?')} object, not a SEG")
    source = read_datasets(sorted(series_folder(run.study, run.series).glob("*.dcm")))
    array = labels_from_segmentation(seg, source, image, table)
    return Labels(array, table, "upload", shown, file_sha256(path))


def override_series(study: ImagingStudy, series: ImagingSeries, user: object, reason: str) -> None:
    """The reader chooses another series; selection keeps that choice from now on."""
    if not reason.strip():
        raise ImagingError("choosing another series needs a reason")
    if series.study_id != study.pk:
        raise ImagingError("that series belongs to another study")
    with transaction.atomic():
        for row in study.series.filter(chosen=True):
            row.chosen = False
            row.save(reason=f"series overridden: {reason}")
        series.chosen = True
        series.overridden_by = user
        series.override_reason = reason
        series.save(reason=f"series overridden: {reason}")
        for run in study.runs.filter(review=ReviewStatus.PENDING):
            run.review = ReviewStatus.SUPERSEDED
            run.save(reason="series overridden")
        study.status = StudyStatus.QUEUED
        study.error = ""
        study.save(reason=f"series overridden: {reason}")


LEVELS_MAX_BYTES = 64 * 1024  # six disc points need a few hundred bytes


def levels_from_json(data: bytes) -> dict:
    if len(data) > LEVELS_MAX_BYTES:
        raise ImagingError(f"levels file is larger than {LEVELS_MAX_BYTES // 1024} KB")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImagingError(f"levels file is not JSON: {error}") from error
    except RecursionError:
        raise ImagingError("levels file is nested too deeply to be a levels file") from None
    if not isinstance(document, dict):
        raise ImagingError('levels file must be a JSON object with "discs"')
    return {k: v.tolist() for k, v in parse_discs(document).items()}
