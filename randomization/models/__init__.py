"""Allocation lists and slots; emergency and trial unblinding; the assessor's guess."""

from .blinding import (
    DONT_KNOW,
    GUESS_CHOICES,
    BlindingGuess,
    RequestStatus,
    UnblindingRequest,
)
from .lists import AllocationList, AllocationSlot, Environment
from .requests import RandomisationRequest
from .waivers import PreconditionWaiver

__all__ = [
    "DONT_KNOW",
    "GUESS_CHOICES",
    "AllocationList",
    "AllocationSlot",
    "BlindingGuess",
    "Environment",
    "PreconditionWaiver",
    "RandomisationRequest",
    "RequestStatus",
    "UnblindingRequest",
]
