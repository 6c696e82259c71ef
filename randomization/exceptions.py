"""Named refusals of the randomise service, with messages fit for the therapist."""

from trial.exceptions import JourneyError


class RandomisationError(JourneyError):
    """Randomisation was refused; nothing was allocated."""


class BaselineIncomplete(RandomisationError):
    """The baseline visit or the stratification questionnaire is missing: the stratum is unknown."""


class PreconditionsMissing(BaselineIncomplete):
    """Baseline items the protocol requires before randomisation are missing and not waived.
    The message lists them in words fit for therapists (never the stratification variable)."""

    public_code = "BaselineIncomplete"

    def __init__(self, study_id: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"{study_id} cannot be randomised yet: missing {'; '.join(missing)}. Complete them, "
            "or ask the PI to waive one with a reason."
        )


class StratumExhausted(RandomisationError):
    """No unused slot is left in the participant's stratum (never falls back to anything).

    Shown to therapists, who are blind to the stratum: neither the message nor the public code
    names it."""

    public_code = "AllocationListExhausted"


class NoAllocationList(RandomisationError):
    """No list of the configured environment (test or production) has been imported."""
