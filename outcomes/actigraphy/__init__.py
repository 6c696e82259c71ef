"""Axivity AX3/AX6 actigraphy: the ``.cwa`` reader and sleep (pure Python + numpy, no Django)."""

from outcomes.actigraphy.cwa import Chunk, CwaError, CwaFile, Recording, read_cwa

__all__ = ["Chunk", "CwaError", "CwaFile", "Recording", "read_cwa"]
