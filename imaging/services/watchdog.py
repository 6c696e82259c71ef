"""Studies whose work was lost: the message never reached the broker, or the worker went silent.

A worker reports on a study at every step and progress update (``heartbeat_at``). A study still
active after ``IMAGING_STALL_SECONDS`` without a word (longer than any step's time limit) has lost
its worker (killed, out of memory, machine restarted): it is sent again. A study whose message the
broker never took (``heartbeat_at`` empty while queued) is sent again at the next round. Every
step is idempotent, so a message that the broker also redelivers costs time, never a second run.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from imaging.errors import ImagingError
from imaging.models import (
    ImagingSource,
    ImagingStudy,
    ReviewStatus,
    SegmentationRun,
    StudyStatus,
)
from imaging.models.studies import ACTIVE_STATUSES

WAITING = "waiting for the processing service"
# A reader may re-run a study the worker has been silent on for this long.
STUCK_AFTER = dt.timedelta(minutes=5)


def mark_sent(study_id: int, sent: bool) -> None:
    """Record whether the pipeline's message reached the broker."""
    study = ImagingStudy.objects.get(pk=study_id)
    if sent:
        if study.heartbeat_at is None:
            study.heartbeat_at = timezone.now()
            study.save(update_fields=["heartbeat_at"])
    elif study.status == StudyStatus.QUEUED:
        study.step_detail = WAITING
        study.save(update_fields=["step_detail", "updated_at"])


def stalled(now: dt.datetime | None = None) -> list[ImagingStudy]:
    now = now or timezone.now()
    silent_since = now - dt.timedelta(seconds=settings.IMAGING_STALL_SECONDS)
    unmeasured = SegmentationRun.objects.filter(
        review=ReviewStatus.PENDING, result={}, created_at__lt=silent_since
    ).values("study_id")
    return list(
        ImagingStudy.objects.filter(
            Q(status=StudyStatus.QUEUED, heartbeat_at__isnull=True)
            | Q(status__in=ACTIVE_STATUSES, heartbeat_at__lt=silent_since)
            # A corrected mask whose measurement never arrived (the study stays QC pending).
            | Q(status=StudyStatus.QC_PENDING, pk__in=unmeasured)
        ).order_by("pk")
    )


def unmeasured_correction(study: ImagingStudy) -> SegmentationRun | None:
    """The study's corrected mask awaiting its measurement, if that is what is owed."""
    return (
        study.runs.filter(review=ReviewStatus.PENDING, label_source="upload", result={})
        .order_by("-created_at")
        .first()
    )


def resend(study: ImagingStudy, reason: str) -> bool:
    """Back to QUEUED (audited with ``reason``) and sent again from its first unfinished step."""
    from imaging.services.review import queue_measurement
    from imaging.tasks import ingest_orthanc_study, queue_pipeline
    from trial.dispatch import send

    correction = unmeasured_correction(study)
    if correction is not None:  # only the reader's mask is owed its measurement
        return queue_measurement(correction, reason)
    study.status, study.error = StudyStatus.QUEUED, ""
    study.step_progress, study.step_detail, study.heartbeat_at = 0, "", None
    study.save(reason=reason)
    if study.source == ImagingSource.ORTHANC and not study.series.exists():
        sent = send(
            lambda: ingest_orthanc_study.apply_async(
                (study.orthanc_id,), queue=settings.IMAGING_TASK_QUEUE
            ),
            f"PACS study {study.pk}",
        )
        mark_sent(study.pk, sent)
        return sent
    return queue_pipeline(study.pk)


def requeue_stalled() -> list[int]:
    """Send again every stalled study; returns their ids."""
    sent = []
    for study in stalled():
        heard = study.heartbeat_at
        why = (
            f"re-queued by the watchdog: no word from a worker since {heard:%Y-%m-%d %H:%M} UTC"
            if heard
            else "re-queued by the watchdog: the processing service had not received it"
        )
        if resend(study, why):
            sent.append(study.pk)
    return sent


def is_stuck(study: ImagingStudy, now: dt.datetime | None = None) -> bool:
    """May a reader re-run it: failed, never sent, or silent for ``STUCK_AFTER``?"""
    if study.status == StudyStatus.FAILED:
        return True
    if study.status not in ACTIVE_STATUSES:
        return False
    heard = study.heartbeat_at
    return heard is None or (now or timezone.now()) - heard > STUCK_AFTER


def rerun(study: ImagingStudy, user: object, reason: str) -> bool:
    """The reader's re-run of a stuck or failed study, with a reason (audited)."""
    if not reason.strip():
        raise ImagingError("say why the study is run again")
    if not is_stuck(study):
        raise ImagingError(
            "the study is being processed and its worker reported within the last "
            f"{int(STUCK_AFTER.total_seconds() // 60)} minutes; wait for it"
        )
    return resend(study, f"re-run by {user}: {reason.strip()}")
