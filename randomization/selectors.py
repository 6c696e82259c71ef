"""The one place that decides who may see an arm. Every page, export and API goes through here.

A user sees arms when they hold ``view_allocation`` (therapist, PI), or hold
``view_allocation_after_unblinding`` (statistician) once the locked database is unblinded; a
blinded user sees one participant's arm only through an approved emergency-unblinding request
of their own. ``arm_for_service`` is for services that act on the arm (session templates) and
never returns it to a caller that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from randomization.models import AllocationSlot, RequestStatus, TrialUnblinding, UnblindingRequest
from trial.protocol import PROTOCOL
from trial.protocol.schema import Arm

VIEW_ALLOCATION = "trial.view_allocation"
AFTER_UNBLINDING = "trial.view_allocation_after_unblinding"


def trial_unblinded() -> bool:
    return TrialUnblinding.objects.filter(unblinded_at__isnull=False).exists()


def may_see_arm(user: object) -> bool:
    """May this user see every participant's arm?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm(VIEW_ALLOCATION):  # type: ignore[attr-defined]
        return True
    return user.has_perm(AFTER_UNBLINDING) and trial_unblinded()  # type: ignore[attr-defined]


def _emergency_unblinded(user: object, participant_ids: list[int]) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        UnblindingRequest.objects.filter(
            requested_by=user, status=RequestStatus.APPROVED, participant_id__in=participant_ids
        ).values_list("participant_id", flat=True)
    )


def arm_for_service(participant_id: int) -> str | None:
    slot = AllocationSlot.objects.filter(participant_id=participant_id).only("arm").first()
    return slot.arm if slot else None


def visible_arm(user: object, participant_id: int) -> Arm | None:
    """The arm, or None for anyone blinded (also None when not randomised)."""
    if not may_see_arm(user) and not _emergency_unblinded(user, [participant_id]):
        return None
    code = arm_for_service(participant_id)
    return PROTOCOL.arm(code) if code else None


def visible_arms(user: object, participant_ids: Iterable[int]) -> dict[int, Arm]:
    """Arms of many participants in a fixed number of queries; empty for a blinded user (but for
    participants unblinded to this user in an emergency)."""
    ids = list(participant_ids)
    if not may_see_arm(user):
        ids = _emergency_unblinded(user, ids)
        if not ids:
            return {}
    slots = AllocationSlot.objects.filter(participant_id__in=ids).only("participant_id", "arm")
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
