"""Storing, streaming and destroying interview audio.

Only the qualitative researcher and the PI hear it (``listen_to_recordings``); every listening is
an audit row. The retention rule (``INTERVIEW_AUDIO_RETENTION_DAYS`` after the transcript is
approved) destroys the file and its key; the row, its SHA-256 and the audit trail remain.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interviews.audio_crypto import decrypt_chunks, encrypt_stream, new_key
from interviews.audio_formats import AUDIO_KINDS, sniff_audio, wav_seconds
from interviews.models import Interview, Recording
from trial.audit.recorder import record
from trial.crypto.keys import decrypt, encrypt
from trial.models.audit import AuditAction


class RecordingRefused(ValueError):
    """The audio cannot be stored or played (the message says why)."""


def audio_dir() -> Path:
    folder = Path(settings.INTERVIEW_AUDIO_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _check_upload(interview: Interview, name: str, size: int, head: bytes) -> str:
    if not interview.invitation.may_record_audio:
        raise RecordingRefused(
            "The participant has not consented to audio recording; record the consent first."
        )
    limit = settings.INTERVIEW_AUDIO_MAX_BYTES
    if size > limit:
        raise RecordingRefused(
            f"The file is {size / 1024**2:.0f} MB; recordings up to {limit / 1024**2:.0f} MB are "
            "accepted (export a mono or compressed file, e.g. MP3 or M4A)."
        )
    kind = sniff_audio(head)
    suffix = Path(name).suffix.lower()
    if kind is None or suffix not in AUDIO_KINDS[kind][0]:
        raise RecordingRefused(
            f"{name} is not a WAV, MP3 or M4A recording (its contents do not match)."
        )
    return kind


@transaction.atomic
def store_recording(
    interview: Interview, source: BinaryIO, name: str, size: int, user: object
) -> Recording:
    """Encrypt the upload into the audio folder and record it; nothing is kept on refusal."""
    head = source.read(64 * 1024)
    kind = _check_upload(interview, name, size, head)
    source.seek(0)
    key = new_key()
    stored_name = f"{uuid.uuid4().hex}.sbaudio"
    target_path = audio_dir() / stored_name
    try:
        with target_path.open("xb") as target:
            sha256, written = encrypt_stream(source, target, key)
        recording = Recording(
            interview=interview,
            original_name=Path(name).name[:255],
            kind=kind,
            size_bytes=written,
            sha256=sha256,
            seconds=wav_seconds(head) if kind == "wav" else None,
            stored_name=stored_name,
            wrapped_key=encrypt(base64.b64encode(key).decode()),
            uploaded_by=user,
        )
        recording.save()
    except BaseException:
        target_path.unlink(missing_ok=True)
        raise
    return recording


def _key(recording: Recording) -> bytes:
    if recording.destroyed or not recording.wrapped_key:
        raise RecordingRefused(
            f"The audio of this interview was destroyed on {recording.destroyed_at:%Y-%m-%d} "
            "under the retention rule."
        )
    return base64.b64decode(decrypt(recording.wrapped_key))


def plain_chunks(recording: Recording) -> Iterator[bytes]:
    """The decrypted audio, chunk by chunk (for the player and the draft transcriber)."""
    key = _key(recording)
    with (audio_dir() / recording.stored_name).open("rb") as source:
        yield from decrypt_chunks(source, key)


def listen(recording: Recording, user: object) -> Iterator[bytes]:
    """Audit one listening, then stream the audio."""
    _key(recording)  # refuse a destroyed recording before auditing a listening
    record(
        AuditAction.VIEW_SENSITIVE,
        object_type=Recording._meta.label,
        object_id=recording.pk,
        subject=recording.audit_subject(),
        reason="listened to the interview recording",
    )
    return plain_chunks(recording)


@transaction.atomic
def destroy_recording(recording: Recording, user: object | None, note: str) -> Recording:
    """Irreversible: the encrypted file and its key are deleted; the row says when and why."""
    recording = Recording.objects.select_for_update().get(pk=recording.pk)
    if recording.destroyed:
        return recording
    (audio_dir() / recording.stored_name).unlink(missing_ok=True)
    recording.wrapped_key = ""
    recording.destroyed_at = timezone.now()
    recording.destroyed_by = user
    recording.destruction_note = note[:200]
    recording.save(reason=note)
    return recording


def recordings_due(now: dt.datetime | None = None) -> list[Recording]:
    """Audio whose interview's transcript was approved at least the retention period ago."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.INTERVIEW_AUDIO_RETENTION_DAYS)
    return list(
        Recording.objects.filter(
            destroyed_at__isnull=True,
            interview__transcripts__approved_at__lte=cutoff,
        ).distinct()
    )


def destroy_due_recordings(now: dt.datetime | None = None) -> list[int]:
    days = settings.INTERVIEW_AUDIO_RETENTION_DAYS
    destroyed = []
    for recording in recordings_due(now):
        note = f"retention rule: {days} days after the transcript was approved"
        destroy_recording(recording, None, note)
        destroyed.append(recording.pk)
    return destroyed
