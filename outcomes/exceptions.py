"""Refusals of the outcome services (each message is shown to the user as it is)."""

from __future__ import annotations

from outcomes.instruments.base import Text
from trial.exceptions import JourneyError


class NeedsConfirmation(Exception):
    """Soft checks fired: the answers are plausible but unusual; save again with confirmation.
    Not a JourneyError, so views show the warnings with a confirmation box, not a refusal."""

    def __init__(self, warnings: list[Text]) -> None:
        self.warnings = warnings
        super().__init__("Please confirm: " + " ".join(w.en for w in warnings))


class EntryRefused(JourneyError):
    """This person may not make this entry (e.g. double entry by the first enterer)."""


class QueryRefused(JourneyError):
    """A data query cannot move to the requested state, or this person may not move it."""
