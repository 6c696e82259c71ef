"""Celery entry points of the imaging pipeline, all on ``settings.IMAGING_TASK_QUEUE``.

poll_orthanc (beat) -> ingest_orthanc_study -> select -> segment -> measure -> write_back.
Tasks acknowledge late (a worker killed mid-step leaves the message to be redelivered), are
idempotent (each step checks what is already done), retry PACS outages with exponential back-off
and have time limits. A refusal or error marks the study FAILED with its message and stops the
chain (the next task receives None).
"""

from __future__ import annotations

from celery import chain, shared_task
from django.conf import settings

from imaging.pacs.orthanc import PacsUnavailable
from trial.audit.context import audit_context
from trial.dispatch import send

OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 6,
    "soft_time_limit": 900,
    "time_limit": 960,
}


def _retry(task: object, error: Exception) -> None:
    countdown = min(300, 5 * 2**task.request.retries)  # type: ignore[attr-defined]
    raise task.retry(exc=error, countdown=countdown)  # type: ignore[attr-defined]


def queue_pipeline(study_id: int) -> bool:
    """Select, segment, measure and write back, as a chain on the imaging queue.

    False when the broker could not take it: the study stays queued, marked as waiting, and the
    watchdog (``requeue_stalled_studies``) sends it again."""
    from imaging.services.watchdog import mark_sent

    queue = settings.IMAGING_TASK_QUEUE
    pipeline = chain(
        select_series.si(study_id).set(queue=queue),
        segment_series.s().set(queue=queue),
        measure_run.s().set(queue=queue),
        write_back.s().set(queue=queue),
    )
    sent = send(pipeline.apply_async, f"imaging study {study_id}")
    mark_sent(study_id, sent)
    return sent


@shared_task(name="imaging.tasks.requeue_stalled_studies")
def requeue_stalled_studies() -> list[int]:
    """Beat: send again every study whose worker went silent or whose message never left."""
    from imaging.services.watchdog import requeue_stalled

    with audit_context(channel="task"):
        return requeue_stalled()


@shared_task(name="imaging.tasks.poll_orthanc")
def poll_orthanc() -> int:
    """Queue every study that became stable in Orthanc since the last poll."""
    if not settings.ORTHANC_URL:
        return 0
    from imaging.services.pacs_ingest import new_stable_studies

    found = new_stable_studies()
    for orthanc_id in found:
        ingest_orthanc_study.apply_async((orthanc_id,), queue=settings.IMAGING_TASK_QUEUE)
    return len(found)


@shared_task(name="imaging.tasks.ingest_orthanc_study", **OPTIONS)
def ingest_orthanc_study(self: object, orthanc_id: str) -> int | None:
    from imaging.models import StudyStatus
    from imaging.services.pacs_ingest import claim_study, pull_study
    from imaging.services.pipeline import StepFailed, progress, step

    with audit_context(channel="task"):
        try:
            study = claim_study(orthanc_id)
            if study is None or study.status != StudyStatus.QUEUED:
                return None
            with step(study, StudyStatus.QUEUED):
                progress(study, 10, "retrieving the series from the PACS (WADO-RS)")
                pull_study(study)
        except PacsUnavailable as error:
            _retry(self, error)
        except StepFailed:
            return None
    queue_pipeline(study.pk)
    return study.pk


@shared_task(name="imaging.tasks.select_series", **OPTIONS)
def select_series(self: object, study_id: int) -> int | None:
    from imaging.models import ImagingStudy
    from imaging.services.pipeline import StepFailed, select

    with audit_context(channel="task"):
        try:
            select(ImagingStudy.objects.get(pk=study_id))
        except StepFailed:
            return None
    return study_id


@shared_task(name="imaging.tasks.segment_series", **OPTIONS)
def segment_series(self: object, study_id: int | None) -> int | None:
    if study_id is None:
        return None
    from imaging.models import ImagingStudy
    from imaging.services.pipeline import StepFailed
    from imaging.services.pipeline import segment_series as segment

    with audit_context(channel="task"):
        study = ImagingStudy.objects.get(pk=study_id)
        series = study.chosen_series
        if series is None:
            return None
        try:
            return segment(study, series).pk
        except StepFailed:
            return None


@shared_task(name="imaging.tasks.measure_run", **OPTIONS)
def measure_run(self: object, run_id: int | None, replace_reason: str = "") -> int | None:
    if run_id is None:
        return None
    from imaging.models import SegmentationRun
    from imaging.services.pipeline import StepFailed
    from imaging.services.pipeline import measure_run as measure

    with audit_context(channel="task"):
        try:
            measure(SegmentationRun.objects.get(pk=run_id), replace_reason=replace_reason)
        except StepFailed:
            return None
    return run_id


@shared_task(name="imaging.tasks.write_back", **OPTIONS)
def write_back(self: object, run_id: int | None) -> str | None:
    """The SEG; a failure here is a QC flag on the run, the metrics stand."""
    if run_id is None:
        return None
    from imaging.errors import ImagingError
    from imaging.models import SegmentationRun
    from imaging.services.writeback import write_back as write

    run = SegmentationRun.objects.get(pk=run_id)
    with audit_context(channel="task"):
        try:
            return write(run)
        except PacsUnavailable as error:
            if self.request.retries < self.max_retries:  # type: ignore[attr-defined]
                _retry(self, error)
            message = f"SEG not stored: PACS unavailable ({error})"
        except ImagingError as error:
            message = f"SEG not written: {error}"
        run.refresh_from_db()
        run.qc_flags = [*run.qc_flags, message]
        run.save(reason="write-back failed")
        return None
