"""Named refusals of the randomise service, with messages fit for the therapist."""

from trial.exceptions import JourneyError


class RandomisationError(JourneyError):
    """Randomisation was refused; nothing was allocated."""


class BaselineIncomplete(RandomisationError):
    """The baseline visit or the stratification questionnaire is missing: the stratum is unknown."""


class StratumExhausted(RandomisationError):
    """No unused slot is left in the participant's stratum (never falls back to anything)."""


class NoAllocationList(RandomisationError):
    """No list of the configured environment (test or production) has been imported."""
