"""The one place that decides who may see an arm. Every page, export and API goes through here.

``arm_for_service`` is for services that act on the arm (session templates) and never returns
it to a caller that shows it; ``visible_arm`` and ``visible_arms`` apply the user's permission.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from randomization.models import AllocationSlot
from trial.protocol import PROTOCOL
from trial.protocol.schema import Arm

VIEW_ALLOCATION = "trial.view_allocation"


def may_see_arm(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(VIEW_ALLOCATION)  # type: ignore[attr-defined]


def arm_for_service(participant_id: int) -> str | None:
    slot = AllocationSlot.objects.filter(participant_id=participant_id).only("arm").first()
    return slot.arm if slot else None


def visible_arm(user: object, participant_id: int) -> Arm | None:
    """The arm, or None for anyone blinded (also None when not randomised)."""
    if not may_see_arm(user):
        return None
    code = arm_for_service(participant_id)
    return PROTOCOL.arm(code) if code else None


def visible_arms(user: object, participant_ids: Iterable[int]) -> dict[int, Arm]:
    """Arms of many participants in one query; empty for a blinded user."""
    if not may_see_arm(user):
        return {}
    slots = AllocationSlot.objects.filter(participant_id__in=list(participant_ids)).only(
        "participant_id", "arm"
    )
    return {slot.participant_id: PROTOCOL.arm(slot.arm) for slot in slots}


LOW_SLOTS = 10  # below this many unused slots in a stratum, the dashboards warn


@dataclass(frozen=True)
class StratumSupply:
    environment: str
    stratum: str
    total: int
    used: int

    @property
    def remaining(self) -> int:
        return self.total - self.used

    @property
    def low(self) -> bool:
        return self.remaining < LOW_SLOTS


def stratum_supply() -> list[StratumSupply]:
    """Slots used and left per environment and stratum (counts only, never an arm)."""
    rows = (
        AllocationSlot.objects.values("allocation_list__environment", "stratum")
        .annotate(total=Count("id"), used=Count("participant"))
        .order_by("allocation_list__environment", "stratum")
    )
    return [
        StratumSupply(r["allocation_list__environment"], r["stratum"], r["total"], r["used"])
        for r in rows
    ]
