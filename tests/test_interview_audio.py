"""Interview audio: encrypted at rest, streamed only to the qualitative researcher and the PI,
each listening audited, destroyed by the retention rule while the transcript stays."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from interviews.audio_crypto import DamagedRecording, decrypt_chunks, encrypt_stream, new_key
from interviews.audio_formats import sniff_audio
from interviews.models import Recording
from interviews.services.recordings import (
    RecordingRefused,
    audio_dir,
    destroy_due_recordings,
    store_recording,
)
from interviews.services.transcripts import add_transcript, approve
from tests.interview_helpers import espeak_wav, pre_interview
from trial.models.audit import AuditAction, AuditEntry
from trial.roles import ROLES

SCRIPT = "The exercises made my back feel stronger. The pain went down after six weeks."


def test_chunked_encryption_round_trips_and_refuses_tampering() -> None:
    plain = bytes(range(256)) * 9000  # about 2.2 MB: three chunks
    key, sealed = new_key(), io.BytesIO()
    sha256, size = encrypt_stream(io.BytesIO(plain), sealed, key)
    assert (sha256, size) == (hashlib.sha256(plain).hexdigest(), len(plain))
    assert b"".join(decrypt_chunks(io.BytesIO(sealed.getvalue()), key)) == plain
    with pytest.raises(DamagedRecording):  # another key
        b"".join(decrypt_chunks(io.BytesIO(sealed.getvalue()), new_key()))
    truncated = sealed.getvalue()[: len(sealed.getvalue()) // 2]
    with pytest.raises(DamagedRecording):
        b"".join(decrypt_chunks(io.BytesIO(truncated), key))
    flipped = bytearray(sealed.getvalue())
    flipped[100] ^= 1
    with pytest.raises(DamagedRecording):
        b"".join(decrypt_chunks(io.BytesIO(bytes(flipped)), key))


def test_formats_are_told_from_the_bytes() -> None:
    assert sniff_audio(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "wav"
    assert sniff_audio(b"ID3\x04\x00") == "mp3"
    assert sniff_audio(b"\x00\x00\x00\x20ftypM4A ") == "m4a"
    assert sniff_audio(b"\x89PNG\r\n\x1a\n") is None


def _upload(client, interview, path: Path):
    audio = SimpleUploadedFile(path.name, path.read_bytes(), content_type="audio/wav")
    return client.post(f"/interviews/{interview.pk}/", {"audio": audio})


@pytest.mark.django_db
def test_upload_is_encrypted_at_rest_and_streamed_only_to_allowed_roles(
    role_users, client_for, tmp_path, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    interview = pre_interview(role_users)
    wav = espeak_wav(tmp_path, SCRIPT)
    plain = wav.read_bytes()
    researcher = client_for("qualitative_researcher")
    response = _upload(researcher, interview, wav)
    assert response.status_code == 302, response.content[:500]
    recording = Recording.objects.get(interview=interview)
    assert recording.sha256 == hashlib.sha256(plain).hexdigest()
    assert recording.kind == "wav" and recording.seconds == pytest.approx(len(plain) / 44100, 0.05)
    stored = (audio_dir() / recording.stored_name).read_bytes()
    assert not stored.startswith(b"RIFF") and plain[44:4096] not in stored
    assert str(audio_dir()).startswith(str(settings.MEDIA_ROOT)) and "static" not in str(
        audio_dir()
    )

    url = f"/interviews/recordings/{recording.pk}/audio/"
    for role in ROLES:
        response = client_for(role.code).get(url)
        if role.code in ("qualitative_researcher", "pi"):
            assert response.status_code == 200, role.code
            assert b"".join(response.streaming_content) == plain
            assert response["Content-Type"] == "audio/wav"
        else:
            assert response.status_code == 403, role.code
    listenings = AuditEntry.objects.filter(
        action=AuditAction.VIEW_SENSITIVE, object_type="interviews.Recording",
        object_id=str(recording.pk),
    )  # fmt: skip
    assert sorted(listenings.values_list("username", flat=True)) == ["pi", "qualitativeresearcher"]
    assert all(e.subject == interview.invitation.participant.study_id for e in listenings)


@pytest.mark.django_db
def test_refusals_are_clear_and_keep_nothing(role_users, client_for, tmp_path, settings) -> None:
    interview = pre_interview(role_users)
    researcher = client_for("qualitative_researcher")
    files_before = sorted(audio_dir().glob("*"))
    fake = tmp_path / "notes.wav"
    fake.write_text("this is not audio")
    response = _upload(researcher, interview, fake)
    assert b"is not a WAV, MP3 or M4A recording" in response.content
    settings.INTERVIEW_AUDIO_MAX_BYTES = 1000
    response = _upload(researcher, interview, espeak_wav(tmp_path, "hello there"))
    assert b"recordings up to 0 MB are accepted" in response.content
    assert not Recording.objects.filter(interview=interview).exists()
    assert sorted(audio_dir().glob("*")) == files_before  # no file left behind
    no_consent = pre_interview(role_users, audio_consent=False)
    with pytest.raises(RecordingRefused, match="not consented to audio recording"):
        store_recording(
            no_consent, io.BytesIO(b"RIFF"), "a.wav", 4, role_users["qualitative_researcher"]
        )


@pytest.mark.django_db
def test_retention_destroys_the_audio_and_keeps_the_transcript(
    role_users, client_for, tmp_path, settings
) -> None:
    settings.INTERVIEW_AUDIO_RETENTION_DAYS = 30
    researcher = role_users["qualitative_researcher"]
    interview = pre_interview(role_users)
    wav = espeak_wav(tmp_path, SCRIPT).read_bytes()
    recording = store_recording(interview, io.BytesIO(wav), "i.wav", len(wav), researcher)
    transcript = add_transcript(interview, "t.txt", SCRIPT.encode(), "en", researcher)
    approve(transcript, researcher)
    assert destroy_due_recordings(timezone.now() + dt.timedelta(days=29)) == []
    assert destroy_due_recordings(timezone.now() + dt.timedelta(days=31)) == [recording.pk]
    recording.refresh_from_db()
    assert recording.destroyed and recording.wrapped_key == ""
    assert not (audio_dir() / recording.stored_name).exists()
    assert recording.sha256 == hashlib.sha256(wav).hexdigest()  # the fingerprint stays
    response = client_for("pi").get(f"/interviews/recordings/{recording.pk}/audio/")
    assert response.status_code == 410 and b"destroyed" in response.content
    transcript.refresh_from_db()
    assert transcript.deidentified_text.startswith("The exercises made my back")
    trail = AuditEntry.objects.filter(
        object_type="interviews.Recording", object_id=str(recording.pk)
    )
    assert trail.filter(field="destroyed_at", action=AuditAction.UPDATE).exists()
    assert "retention rule" in trail.get(field="destroyed_at").reason
    assert not trail.filter(field="wrapped_key").exists()  # the key never reached the trail
    assert destroy_due_recordings(timezone.now() + dt.timedelta(days=60)) == []
    from interviews.tasks import destroy_due_recordings as beat_task

    assert beat_task() == []  # the beat entry point: nothing left to destroy
