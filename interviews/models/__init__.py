from interviews.models.guides import InterviewGuide
from interviews.models.interviews import (
    AudioConsent,
    Interview,
    InterviewInvitation,
    InterviewMode,
    InvitationAnswer,
    Timepoint,
)
from interviews.models.recordings import Recording
from interviews.models.transcripts import Decision, Redaction, Transcript, TranscriptOrigin

__all__ = [
    "AudioConsent",
    "Decision",
    "Interview",
    "InterviewGuide",
    "InterviewInvitation",
    "InterviewMode",
    "InvitationAnswer",
    "Recording",
    "Redaction",
    "Timepoint",
    "Transcript",
    "TranscriptOrigin",
]
