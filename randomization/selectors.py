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

from randomization.models import AllocationSlot, RequestStatus, UnblindingRequest
from trial.models import DatabaseLock
from trial.protocol import PROTOCOL
from trial.protocol.schema import Arm

VIEW_ALLOCATION = "trial.view_allocation"
AFTER_UNBLINDING = "trial.view_allocation_after_unblinding"


def trial_unblinded() -> bool:
    return DatabaseLock.objects.filter(unblinded_at__isnull=False).exists()


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


def _record_reveal(user: object, participant_ids: list[int], emergency: bool) -> None:
    """Every arm returned to someone outside the treatment team is on record, here in the
    selector that returns it, whatever page, export or API asked for it."""
    if not participant_ids:
        return
    from trial.audit.recorder import AuditEvent, record_events
    from trial.models import Participant
    from trial.models.audit import AuditAction

    if emergency:
        why = "arm shown after approved emergency unblinding"
        study_ids = Participant.objects.filter(pk__in=participant_ids).values_list(
            "study_id", flat=True
        )
        events = [
            AuditEvent(AuditAction.VIEW_SENSITIVE, "randomization.AllocationSlot", "", subject)
            for subject in study_ids
        ]
    else:
        why = f"arms of {len(participant_ids)} participant(s) shown after trial unblinding"
        events = [AuditEvent(AuditAction.VIEW_SENSITIVE, "randomization.AllocationSlot")]
    record_events(events, reason=why)


def _treatment_team(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(VIEW_ALLOCATION)  # type: ignore[attr-defined]


def arm_for_service(participant_id: int) -> str | None:
    slot = AllocationSlot.objects.filter(participant_id=participant_id).only("arm").first()
    return slot.arm if slot else None


def visible_arm(user: object, participant_id: int) -> Arm | None:
    """The arm, or None for anyone blinded (also None when not randomised)."""
    everyone = may_see_arm(user)
    if not everyone and not _emergency_unblinded(user, [participant_id]):
        return None
    code = arm_for_service(participant_id)
    if code and not _treatment_team(user):
        _record_reveal(user, [participant_id], emergency=not everyone)
    return PROTOCOL.arm(code) if code else None


def visible_arms(user: object, participant_ids: Iterable[int]) -> dict[int, Arm]:
    """Arms of many participants in a fixed number of queries; empty for a blinded user (but for
    participants unblinded to this user in an emergency)."""
    ids = list(participant_ids)
    everyone = may_see_arm(user)
    if not everyone:
        ids = _emergency_unblinded(user, ids)
        if not ids:
            return {}
    slots = AllocationSlot.objects.filter(participant_id__in=ids).only("participant_id", "arm")
    arms = {slot.participant_id: PROTOCOL.arm(slot.arm) for slot in slots}
    if arms and not _treatment_team(user):
        _record_reveal(user, list(arms), emergency=not everyone)
    return arms


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

    @property
    def stratum_label(self) -> str:
        """The stratum as the protocol names it (its code is for files, not people)."""
        return PROTOCOL.stratum_label(self.stratum)

    @property
    def environment_label(self) -> str:
        from randomization.models.lists import Environment

        return str(dict(Environment.choices).get(self.environment, self.environment))


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


@dataclass(frozen=True)
class BlindingIndexRow:
    arm_label: str  # "" for James' index over both arms
    index: float | None
    guesses: int
    ci_low: float | None = None
    ci_high: float | None = None


def blinding_index_rows(user: object) -> list[BlindingIndexRow] | None:
    """Bang's blinding index per arm from the assessors' guesses: only once the trial is
    unblinded and to a reader who may see arms (None otherwise); the reveal is on record."""
    from randomization.blinding_index import bang_with_ci, james_index
    from randomization.models import DONT_KNOW, BlindingGuess

    if not trial_unblinded() or not may_see_arm(user):
        return None
    guesses = dict(BlindingGuess.objects.values_list("participant_id", "guess"))
    slots = AllocationSlot.objects.filter(participant_id__in=list(guesses)).only(
        "participant_id", "arm"
    )
    pairs = [(slot.arm, guesses[slot.participant_id]) for slot in slots]
    if pairs and not _treatment_team(user):
        _record_reveal(user, [slot.participant_id for slot in slots], emergency=False)
    labels = {arm.code: arm.label for arm in PROTOCOL.arms}
    rows = [
        BlindingIndexRow(labels[code], None, 0)
        if value is None
        else BlindingIndexRow(labels[code], value.estimate, value.n, value.ci_low, value.ci_high)
        for code, value in bang_with_ci(pairs, list(labels), DONT_KNOW).items()
    ]
    james = james_index(pairs, list(labels), DONT_KNOW) if len(labels) == 2 else None
    if james is not None:
        rows.append(BlindingIndexRow("", james.estimate, james.n, james.ci_low, james.ci_high))
    return rows
