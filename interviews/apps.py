from __future__ import annotations

from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    """The qualitative interviews (research questions 5 and 6): invitations, audio consent,
    guides, recordings encrypted at rest, transcripts and their de-identification."""

    name = "interviews"
