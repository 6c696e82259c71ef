"""Celery entry points of the interviews app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from trial.audit.context import audit_context


@shared_task(name="interviews.tasks.draft_transcript", acks_late=True)
def draft_transcript(recording_id: int) -> int | None:
    """A speech-to-text draft of a WAV recording, added as a transcript version to review."""
    from interviews.services.drafts import add_draft_transcript

    with audit_context(channel="task"):
        return add_draft_transcript(recording_id)


@shared_task(name="interviews.tasks.destroy_due_recordings")
def destroy_due_recordings() -> list[int]:
    """Beat: destroy the audio whose retention period after transcript approval has passed."""
    from interviews.services.recordings import destroy_due_recordings as destroy

    with audit_context(channel="task", reason="audio retention rule"):
        return destroy()
