"""Named refusals of the participant journey; each message is fit to show the user as is."""

from __future__ import annotations

from collections.abc import Iterable


class JourneyError(Exception):
    """A business rule refused the action; nothing was saved."""


class NotEligible(JourneyError):
    def __init__(self, failed: Iterable[str]) -> None:
        self.failed = tuple(failed)
        super().__init__(
            "Not eligible: " + "; ".join(self.failed) + ". A PI override with a reason is needed."
            if self.failed
            else "Eligibility has not been assessed completely. A PI override with a reason is "
            "needed to enrol anyway."
        )


class AlreadyEnrolled(JourneyError):
    pass


class OverrideRefused(JourneyError):
    pass


class OutOfWindow(JourneyError):
    """A visit date outside its window needs a reason."""


class VisitNotScheduled(JourneyError):
    """The event a visit is anchored on has not happened yet."""


class NotRandomised(JourneyError):
    pass


class SessionRefused(JourneyError):
    pass
