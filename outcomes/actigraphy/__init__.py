"""Axivity AX3/AX6 actigraphy: the ``.cwa`` reader (pure Python + numpy, no Django import)."""

from outcomes.actigraphy.cwa import CwaError, Recording, read_cwa

__all__ = ["CwaError", "Recording", "read_cwa"]
