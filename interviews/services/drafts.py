"""The automatic first draft of a transcript, from a WAV recording (``interviews.speech``)."""

from __future__ import annotations

import logging
import tempfile

from interviews.models import Recording, TranscriptOrigin
from interviews.services.recordings import plain_chunks
from interviews.services.transcripts import add_transcript
from interviews.speech import NotTranscribable, draft_transcript

log = logging.getLogger(__name__)


def add_draft_transcript(recording_id: int) -> int | None:
    """The new transcript's id, or None when the audio has no recognisable speech or is not a
    WAV (the researcher uploads the transcript instead)."""
    recording = Recording.objects.select_related("interview__invitation__participant").get(
        pk=recording_id
    )
    if recording.kind != "wav" or recording.destroyed:
        return None
    if recording.interview.invitation.participant.consent_language == "fr":
        return None  # the only offline speech model on the registry is US English
    with tempfile.TemporaryFile() as plain:
        for chunk in plain_chunks(recording):
            plain.write(chunk)
        plain.seek(0)
        try:
            words = draft_transcript(plain)
        except NotTranscribable as error:
            log.info("No draft transcript for recording %s: %s", recording_id, error)
            return None
    if not words.strip():
        return None
    transcript = add_transcript(
        recording.interview,
        f"draft-from-{recording.original_name}.txt",
        words.encode(),
        "en",
        recording.uploaded_by,
        origin=TranscriptOrigin.SPEECH_TO_TEXT,
    )
    return transcript.pk
