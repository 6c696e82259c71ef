"""Demo qualitative interviews: guides, invitations, one interview held with its (synthetic)
audio and a transcript waiting for its de-identification review."""

from __future__ import annotations

import datetime as dt
import io
import wave

import numpy as np
from django.utils import timezone

from interviews.models import AudioConsent, InterviewGuide, InvitationAnswer, Timepoint
from interviews.services.interviews import add_guide_version, record_interview
from interviews.services.invitations import invite, record_answer, record_audio_consent
from interviews.services.recordings import store_recording
from interviews.services.transcripts import add_transcript
from trial.models import Participant
from trial.protocol.schema import Anchor
from trial.selectors.anchors import anchors_for

QUESTIONS = {
    Timepoint.PRE: "1. What have you tried for your back pain before?\n"
    "2. What do you expect from the exercise programme?\n3. What worries you about it?",
    Timepoint.POST: "1. How was the programme for you?\n2. What helped, what got in the way?\n"
    "3. What would you change?",
}


def _tone_wav(seconds: float = 2.0, rate: int = 16000) -> bytes:
    """A short 16-bit WAV (a tone): the demo has no real interview audio."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.2 * 32767 * np.sin(2 * np.pi * 220 * t)).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _interview_to_hold() -> tuple[Participant, str, dt.date, dt.date] | None:
    """(participant, timepoint, invited on, held on): a post-interview three days after a final
    session when someone has finished, else a pre-interview three days before a session 1."""
    today = timezone.localdate()
    randomised = list(Participant.objects.filter(randomized_on__isnull=False).order_by("pk"))
    for participant in randomised:
        final = anchors_for(participant).get(Anchor.FINAL_SESSION)
        if final is not None and final + dt.timedelta(days=3) <= today:
            return participant, Timepoint.POST, final, final + dt.timedelta(days=3)
    for participant in randomised:
        invited = max(participant.consent_date, participant.randomized_on - dt.timedelta(days=5))
        held = participant.randomized_on - dt.timedelta(days=3)
        if invited <= held:
            return participant, Timepoint.PRE, invited, held
    return None


def seed_demo_interviews(coordinator: object, researcher: object) -> None:
    """Once per demo database (a second ``seed_demo`` adds participants, not interviews)."""
    if InterviewGuide.objects.exists():
        return
    guides = {
        timepoint: add_guide_version(timepoint, "1.0", QUESTIONS[timepoint], "", researcher)
        for timepoint in Timepoint
    }
    pending = Participant.objects.filter(randomized_on__isnull=True).order_by("pk").first()
    if pending is not None:  # invited today, no answer yet
        invite(pending, Timepoint.PRE, coordinator, timezone.localdate())
    chosen = _interview_to_hold()
    if chosen is None:
        return
    participant, timepoint, invited_on, held_on = chosen
    invitation = invite(participant, timepoint, coordinator, invited_on)
    record_answer(invitation, InvitationAnswer.ACCEPTED, invited_on)
    record_audio_consent(
        invitation, AudioConsent.GIVEN, version="1.0", signed_on=invited_on, obtained_by=coordinator
    )
    interview = record_interview(
        invitation,
        researcher,
        guide=guides[timepoint],
        mode="in_person",
        interviewer=researcher,
        started_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(10))),
        duration_minutes=41,
    )
    audio = _tone_wav()
    store_recording(interview, io.BytesIO(audio), "interview.wav", len(audio), researcher)
    first_name = getattr(getattr(participant, "identity", None), "first_name", "") or "Alex"
    script = (
        f"Interviewer: Thank you for coming, {first_name}. How is your back these days?\n"
        "Participant: Some days are hard. I drive in from Laval, and sitting in the car hurts.\n"
    )
    add_transcript(interview, "interview.txt", script.encode(), "en", researcher)
