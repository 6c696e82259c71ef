"""One error type for every refusal of the imaging code, so callers show its message as it is."""


class ImagingError(ValueError):
    """Input the pipeline cannot measure faithfully; the message says what and where."""
