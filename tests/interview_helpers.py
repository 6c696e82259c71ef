"""Helpers for the interview tests: a participant walked to an accepted, consented interview
through the real services, and real files made with espeak-ng and python-docx."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from interviews.models import AudioConsent, Interview, InvitationAnswer, Timepoint
from interviews.services.interviews import add_guide_version, record_interview
from interviews.services.invitations import invite, record_answer, record_audio_consent
from tests.journey import TODAY, enrolled

SESSION_1 = TODAY + dt.timedelta(days=4)  # the pre-interview window is TODAY-1 .. TODAY+3


def espeak_wav(tmp_path: Path, words: str, name: str = "interview.wav") -> Path:
    """A real spoken WAV (espeak-ng, 22,050 Hz mono 16-bit)."""
    if not shutil.which("espeak-ng"):  # a tool, not absent data: fail, as for Chromium
        pytest.fail("espeak-ng is not installed (apt-get install espeak-ng; .ci/run does)")
    path = tmp_path / name
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), words], check=True)
    return path


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pre_interview(users: dict, *, audio_consent: bool = True, **identity: str) -> Interview:
    """An enrolled participant with session 1 planned, invited, accepted, consented to audio,
    interviewed inside the pre-interview window with guide v1."""
    coordinator, researcher = users["coordinator"], users["qualitative_researcher"]
    participant = enrolled(coordinator, consent_on=TODAY - dt.timedelta(days=10))
    if identity:
        for field, value in identity.items():
            setattr(participant.identity, field, value)
        participant.identity.save(reason="test identity")
    participant.session_1_planned_on = SESSION_1
    participant.save(reason="test: session 1 planned")
    invitation = invite(participant, Timepoint.PRE, coordinator, TODAY - dt.timedelta(days=2))
    record_answer(invitation, InvitationAnswer.ACCEPTED, TODAY - dt.timedelta(days=2))
    if audio_consent:
        record_audio_consent(
            invitation,
            AudioConsent.GIVEN,
            version="1.0",
            signed_on=TODAY - dt.timedelta(days=2),
            obtained_by=coordinator,
        )
    from interviews.models import InterviewGuide

    guide = InterviewGuide.objects.filter(timepoint=Timepoint.PRE).first() or add_guide_version(
        Timepoint.PRE, "test-1", "1. Expectations?", "", researcher
    )
    return record_interview(
        invitation,
        researcher,
        guide=guide,
        mode="video",
        interviewer=researcher,
        started_at=timezone.make_aware(dt.datetime.combine(TODAY, dt.time(14))),
        duration_minutes=38,
    )
