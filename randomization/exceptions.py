"""Named refusals of the randomise service, with messages fit for the therapist."""

from trial.exceptions import JourneyError


class RandomisationError(JourneyError):
    pass


class AlreadyRandomized(RandomisationError):
    pass


class BaselineIncomplete(RandomisationError):
    pass


class StratumExhausted(RandomisationError):
    pass


class NoAllocationList(RandomisationError):
    pass
