"""The core's window on allocation: who may see an arm, and which arm.

Allocation lives in a feature app (``randomization``), which the core must not import. That app
declares ``arm_source()`` on its AppConfig (its selectors module, the one place that decides
who may see an arm); the core's timeline, CONSORT counts, audit view and session templates ask
it through the functions here. A system check fails when no app, or more than one, declares it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol as Interface

from django.apps import apps

from trial.protocol.schema import Arm


class ArmSource(Interface):
    def may_see_arm(self, user: object) -> bool: ...
    def visible_arm(self, user: object, participant_id: int) -> Arm | None: ...
    def visible_arms(self, user: object, participant_ids: Iterable[int]) -> dict[int, Arm]: ...
    def arm_for_service(self, participant_id: int) -> str | None: ...


def arm_sources() -> list[ArmSource]:
    return [
        config.arm_source()
        for config in apps.get_app_configs()
        if callable(getattr(config, "arm_source", None))
    ]


def _source() -> ArmSource:
    sources = arm_sources()
    if len(sources) != 1:
        raise LookupError(f"expected one app declaring arm_source(), found {len(sources)}")
    return sources[0]


def may_see_arm(user: object) -> bool:
    """May this user see every participant's arm?"""
    return _source().may_see_arm(user)


def visible_arm(user: object, participant_id: int) -> Arm | None:
    """The arm, or None for a blinded reader (the reveal is recorded by the source)."""
    return _source().visible_arm(user, participant_id)


def visible_arms(user: object, participant_ids: Iterable[int]) -> dict[int, Arm]:
    return _source().visible_arms(user, participant_ids)


def arm_for_service(participant_id: int) -> str | None:
    """For services that act on the arm (session templates), never for display."""
    return _source().arm_for_service(participant_id)
