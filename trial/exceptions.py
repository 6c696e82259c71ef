"""Named refusals of the participant journey; each message is fit to show the user as is."""

from __future__ import annotations

from collections.abc import Iterable


class JourneyError(Exception):
    """A business rule refused the action; nothing was saved."""

    @property
    def code(self) -> str:
        """The refusal's name for API clients (a subclass may hide a telling class name)."""
        return getattr(type(self), "public_code", type(self).__name__)


class NotEligible(JourneyError):
    def __init__(self, failed: Iterable[str]) -> None:
        self.failed = tuple(failed)
        super().__init__(
            "Not eligible: " + "; ".join(self.failed) + ". A PI override with a reason is needed."
            if self.failed
            else "Eligibility has not been assessed completely. A PI override with a reason is "
            "needed to enrol anyway."
        )


class DatesOutOfOrder(JourneyError):
    """Two clinical dates in an impossible order (consent before screening, a visit before
    consent): refused outright, no reason can make it plausible."""


class VisitIncomplete(JourneyError):
    """A visit marked done while some of its forms are neither entered nor marked not done."""


class AlreadyEnrolled(JourneyError):
    """The screening entry already has a participant (one person, one study ID)."""


class OverrideRefused(JourneyError):
    """An eligibility override without the PI's permission or without a reason."""


class OutOfWindow(JourneyError):
    """A visit date outside its window needs a reason."""


class VisitNotScheduled(JourneyError):
    """The event a visit is anchored on has not happened yet."""


class NotRandomised(JourneyError):
    """The action needs the arm (a session log) and the participant has none yet."""


class SessionRefused(JourneyError):
    """A session log that breaks a rule (missing reason, exercise not in the template)."""
