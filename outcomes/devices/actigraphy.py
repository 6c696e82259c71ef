"""The actigraphy week of a visit: upload (previewed from the file's header), a Celery task that
reads the file in chunks and scores sleep, and re-scoring when the diary changes."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zoneinfo
from pathlib import PurePath

import numpy as np
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from outcomes.actigraphy import CwaError, CwaFile
from outcomes.actigraphy.epochs import Epochs, epochs_from_cwa
from outcomes.actigraphy.nights import ALGORITHM, PARAMETERS, DiaryNight, means, summarise
from outcomes.imports.service import ImportRefused, refuse_if_imported, sha256_of_file
from outcomes.models import (
    ActigraphyRecording,
    DeviceImport,
    ImportKind,
    ImportStatus,
    ProcessingStatus,
    SleepDiaryNight,
    SleepNight,
)
from trial.audit.recorder import record
from trial.models import Participant
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.selectors.anchors import anchors_for

log = logging.getLogger(__name__)
ACTIGRAPHY_VISITS = PROTOCOL.visits_with("actigraphy")


def _clock(seconds: float) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)


@transaction.atomic
def preview_cwa(
    participant: Participant, visit_code: str, file: File, user: object
) -> DeviceImport:
    """Keep the file and show what it holds (device, first and last sample, rate, corrupt
    sectors) before anyone commits it to the visit. A file that is not ``.cwa`` is refused
    (``ImportRefused``, naming the problem). Whatever fails once the file is stored, nothing of
    it is kept: the row is rolled back, and the stored file, which no transaction covers, is
    deleted.

    ``file`` (an upload, or an opened ``File`` with its name) is hashed and stored in chunks: a
    week at 100 Hz is a few hundred MB, which a web worker should not hold in memory."""
    if visit_code not in ACTIGRAPHY_VISITS:
        raise ImportRefused(f"The {visit_code} visit has no actigraphy week.")
    filename = PurePath(file.name or "recording.cwa").name
    digest = sha256_of_file(file)
    refuse_if_imported(ImportKind.CWA, digest)
    upload = DeviceImport.objects.create(
        kind=ImportKind.CWA,
        sha256=digest,
        filename=filename[:255],
        size=file.size,
        file=File(file, name=filename),
        participant=participant,
        visit_code=visit_code,
        status=ImportStatus.PREVIEWED,
        uploaded_by=user,
    )
    try:
        return _previewed(upload, participant, visit_code)
    except BaseException:
        upload.file.delete(save=False)
        raise


def _previewed(upload: DeviceImport, participant: Participant, visit_code: str) -> DeviceImport:
    """The stored upload with what its header and sectors say, rejected if implausible for the
    visit; ``ImportRefused`` if it is not a ``.cwa`` file."""
    try:
        cwa = CwaFile(upload.file.path)
    except CwaError as exc:
        raise ImportRefused(public_message(exc)) from exc
    start, end = _clock(cwa.start_time), _clock(cwa.end_time)
    problems = _implausible(participant, visit_code, start, end)
    upload.report = {
        "errors": [],
        "device": f"{cwa.device_type} #{cwa.device_id} (session {cwa.session_id})",
        "first_sample": f"{start:%Y-%m-%d %H:%M}",
        "last_sample": f"{end:%Y-%m-%d %H:%M}",
        "days": round((end - start).total_seconds() / 86400, 2),
        "rate": f"{cwa.fs:g} Hz, ±{cwa.accel_range} g",
        "samples": cwa.n_samples,
        "bad_sectors": len(cwa.bad_sectors),
        "metadata": cwa.metadata,
    }
    if problems:  # shown on the preview; the file cannot be committed to this visit
        upload.status = ImportStatus.REJECTED
        upload.report["errors"] = [[0, problem] for problem in problems]
    upload.save(reason="rejected on preview" if problems else "previewed")
    return upload


def _implausible(
    participant: Participant, visit_code: str, first: dt.datetime, last: dt.datetime
) -> list[str]:
    """The protocol's wear rule for the actigraph, against this participant's visit window."""
    wear = PROTOCOL.wear_for("actigraphy")
    if wear is None:
        return []
    visit = PROTOCOL.visit(visit_code)
    anchor = anchors_for(participant).get(visit.anchor)
    if anchor is None:
        return [f"The {visit.label} is not scheduled yet, so the file cannot be placed in it."]
    return wear.problems(visit.window_dates(anchor), first, last)


@transaction.atomic
def commit_cwa(upload: DeviceImport, user: object) -> ActigraphyRecording:
    """Attach the previewed file to its visit and queue the scoring task."""
    locked = DeviceImport.objects.select_for_update().get(pk=upload.pk)
    if locked.kind != ImportKind.CWA or locked.status != ImportStatus.PREVIEWED:
        raise ImportRefused("This upload is not a previewed .cwa file.")
    refuse_if_imported(ImportKind.CWA, locked.sha256)
    # Not "imported" yet: that is said only once the scoring task is with the broker.
    locked.status = ImportStatus.QUEUING
    locked.save(reason="actigraphy file committed to the visit")
    record(AuditAction.IMPORT, object_type=locked._meta.label, object_id=locked.pk,
           subject=locked.participant.study_id, reason="actigraphy file imported")  # fmt: skip
    recording = ActigraphyRecording.objects.create(
        source=locked,
        participant=locked.participant,
        visit_code=locked.visit_code,
        time_zone=settings.TIME_ZONE,
        file_sha256=locked.sha256,
    )
    queue_scoring(recording)
    return recording


def queue_scoring(recording: ActigraphyRecording) -> None:
    """Send the scoring task once the transaction commits (see ``send_scoring``)."""
    transaction.on_commit(lambda: send_scoring(recording.pk))


def send_scoring(recording_id: int) -> bool:
    """Hand the scoring task to the broker; then the import is "imported". When the broker is
    down nothing fails: the import waits as QUEUING and the watchdog sends again."""
    from outcomes.tasks import score_actigraphy
    from trial.dispatch import send

    sent = send(
        lambda: score_actigraphy.apply_async((recording_id,), queue=settings.DEVICE_TASK_QUEUE),
        f"actigraphy recording {recording_id}",
    )
    if not sent:
        return False
    recording = ActigraphyRecording.objects.select_related("source").get(pk=recording_id)
    upload = recording.source
    if upload.status == ImportStatus.QUEUING:
        upload.status, upload.imported_at = ImportStatus.IMPORTED, timezone.now()
        upload.save(reason="scoring queued: import complete")
    if recording.heartbeat_at is None or recording.status == ProcessingStatus.QUEUED:
        recording.heartbeat_at = timezone.now()
        recording.save(update_fields=["heartbeat_at"])
    return True


def stalled_recordings(now: dt.datetime | None = None) -> list[ActigraphyRecording]:
    """Recordings never sent, or whose worker has been silent for ACTIGRAPHY_STALL_SECONDS."""
    from django.db.models import Q

    now = now or timezone.now()
    silent_since = now - dt.timedelta(seconds=settings.ACTIGRAPHY_STALL_SECONDS)
    active = (ProcessingStatus.QUEUED, ProcessingStatus.PROCESSING)
    return list(
        ActigraphyRecording.objects.filter(
            Q(status=ProcessingStatus.QUEUED, heartbeat_at__isnull=True)
            | Q(status__in=active, heartbeat_at__lt=silent_since)
        ).order_by("pk")
    )


def requeue_stalled_recordings() -> list[int]:
    """The watchdog's round: send every stalled recording again (scoring is idempotent)."""
    sent = []
    for recording in stalled_recordings():
        if recording.status != ProcessingStatus.QUEUED:
            recording.status = ProcessingStatus.QUEUED
            recording.save(reason="re-queued by the watchdog: the scoring worker went silent")
        if send_scoring(recording.pk):
            sent.append(recording.pk)
    return sent


def diary_nights(participant_id: int, visit_code: str) -> list[DiaryNight]:
    """Diary rows as local datetimes: evening times on the night's date, morning times next day."""

    def at(night: dt.date, moment: dt.time | None) -> dt.datetime | None:
        if moment is None:
            return None
        day = night if moment >= dt.time(12) else night + dt.timedelta(days=1)
        return dt.datetime.combine(day, moment)

    return [
        DiaryNight(
            night=row.night,
            into_bed=at(row.night, row.into_bed),
            lights_out=at(row.night, row.lights_out),
            final_wake=at(row.night, row.final_wake),
            out_of_bed=at(row.night, row.out_of_bed),
        )
        for row in SleepDiaryNight.objects.filter(
            participant_id=participant_id, visit_code=visit_code
        )
    ]


def _per_minute(epochs: Epochs, sib: np.ndarray) -> bytes:
    per = 60 // epochs.epoch_s
    n = len(epochs) // per * per

    def minute_mean(values: np.ndarray) -> np.ndarray:
        return np.nanmean(values[:n].astype(np.float64).reshape(-1, per), axis=1)

    buffer = io.BytesIO()
    with np.errstate(all="ignore"):
        np.savez_compressed(
            buffer,
            start=np.array([epochs.start]),
            anglez=minute_mean(epochs.anglez).astype(np.float32),
            enmo_mg=(minute_mean(epochs.enmo) * 1000).astype(np.float32),
            sleep=minute_mean(sib.astype(np.float32)) >= 0.5,
            nonwear=minute_mean(epochs.invalid.astype(np.float32)) >= 0.5,
        )
    return buffer.getvalue()


def _aware(moment: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=zone)


def score_recording(recording_id: int) -> ActigraphyRecording:
    """Read the file chunk by chunk, find sleep, store nights and means. A file that cannot be
    read marks the recording failed with the reason; the file and earlier results stay."""
    recording = ActigraphyRecording.objects.select_related("source").get(pk=recording_id)
    recording.status = ProcessingStatus.PROCESSING
    recording.heartbeat_at = timezone.now()
    recording.save(reason="scoring started")
    zone = zoneinfo.ZoneInfo(recording.time_zone)
    try:
        cwa = CwaFile(recording.source.file.path)
        epochs = epochs_from_cwa(cwa)
    except (CwaError, OSError) as exc:
        recording.status, recording.error = ProcessingStatus.FAILED, public_message(exc)
        recording.save(reason="scoring failed")
        return recording
    nights, sib = summarise(epochs, diary_nights(recording.participant_id, recording.visit_code))
    with transaction.atomic():
        for old in recording.nights.all():
            old.delete(reason="re-scored: replaced by the new summary")
        SleepNight.objects.bulk_create(
            [
                SleepNight(
                    recording=recording,
                    **{
                        k: _aware(v, zone) if isinstance(v, dt.datetime) else v
                        for k, v in n.as_dict().items()
                    },
                )
                for n in nights
            ]
        )
        recording.device_type, recording.device_id = cwa.device_type, cwa.device_id
        recording.session_id, recording.sample_rate_hz = cwa.session_id, cwa.fs
        recording.samples, recording.bad_sectors = cwa.n_samples, len(cwa.bad_sectors)
        recording.starts_at = _aware(_clock(cwa.start_time), zone)
        recording.ends_at = _aware(_clock(cwa.end_time), zone)
        recording.algorithm, recording.parameters = ALGORITHM, PARAMETERS
        recording.summary = means(nights)
        recording.plot = _per_minute(epochs, sib)
        recording.status, recording.error = ProcessingStatus.DONE, ""
        recording.processed_at = timezone.now()
        recording.save(reason="scored")
    return recording


def latest_recording(participant: Participant, visit_code: str) -> ActigraphyRecording | None:
    return (
        ActigraphyRecording.objects.filter(participant=participant, visit_code=visit_code)
        .order_by("-id")
        .first()
    )


def rescore_after_diary_change(participant: Participant, visit_code: str) -> None:
    recording = latest_recording(participant, visit_code)
    if recording is not None and recording.status in (
        ProcessingStatus.DONE,
        ProcessingStatus.FAILED,
    ):
        recording.status = ProcessingStatus.QUEUED
        recording.save(reason="sleep diary changed: scoring again")
        queue_scoring(recording)
