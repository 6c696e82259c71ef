"""CONSORT flow counts from per-person facts (pure Python; the selector gathers the facts).

"Analysed" is the primary-outcome analysis set: randomised, week-16 ODI scored, and data use not
refused at withdrawal. Exclusions before randomisation are counted by coded reason; a person who
fails several criteria is counted once under each (CONSORT lists reasons, not a partition).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScreenedPerson:
    outcome: str  # the screening outcome code
    failed_criteria: tuple[str, ...] = ()
    enrolled: bool = False
    randomised: bool = False


@dataclass(frozen=True)
class RandomisedPerson:
    arm: str | None  # None when the reader is blinded (pooled counts only)
    attended_any_session: bool
    exit_kind: str | None
    exit_reason: str | None
    primary_outcome_scored: bool
    data_use_refused: bool


@dataclass
class ArmCounts:
    allocated: int = 0
    received: int = 0
    did_not_receive: int = 0
    discontinued_intervention: int = 0
    withdrawn: int = 0
    lost_to_follow_up: int = 0
    exit_reasons: Counter = field(default_factory=Counter)
    analysed: int = 0
    not_analysed: int = 0


@dataclass
class ConsortCounts:
    assessed: int
    excluded: int
    not_meeting_criteria: int
    excluded_by_criterion: Mapping[str, int]
    declined: int
    not_reached: int
    pending: int
    eligible_not_randomised: int
    randomised: int
    pooled: ArmCounts
    by_arm: Mapping[str, ArmCounts] | None  # None for a reader blinded to the arm


def consort_counts(
    screened: Iterable[ScreenedPerson],
    randomised: Iterable[RandomisedPerson],
    arms: Iterable[str],
    show_arms: bool,
) -> ConsortCounts:
    screened = list(screened)
    outcomes = Counter(person.outcome for person in screened)
    by_criterion: Counter = Counter()
    for person in screened:
        if person.outcome == "not_eligible":
            by_criterion.update(person.failed_criteria)
    eligible_not_randomised = sum(
        1 for p in screened if p.outcome == "eligible" and not p.randomised
    )
    pooled = ArmCounts()
    by_arm = {arm: ArmCounts() for arm in arms} if show_arms else None
    total_randomised = 0
    for person in randomised:
        total_randomised += 1
        targets = [pooled]
        if by_arm is not None and person.arm is not None:
            targets.append(by_arm[person.arm])
        for counts in targets:
            _add(counts, person)
    not_eligible = outcomes.get("not_eligible", 0)
    declined = outcomes.get("declined", 0)
    not_reached = outcomes.get("not_reached", 0)
    return ConsortCounts(
        assessed=len(screened),
        excluded=len(screened) - total_randomised,
        not_meeting_criteria=not_eligible,
        excluded_by_criterion=dict(sorted(by_criterion.items())),
        declined=declined,
        not_reached=not_reached,
        pending=outcomes.get("pending", 0),
        eligible_not_randomised=eligible_not_randomised,
        randomised=total_randomised,
        pooled=pooled,
        by_arm=by_arm,
    )


def _add(counts: ArmCounts, person: RandomisedPerson) -> None:
    counts.allocated += 1
    if person.attended_any_session:
        counts.received += 1
    else:
        counts.did_not_receive += 1
    if person.exit_kind == "discontinued":
        counts.discontinued_intervention += 1
    elif person.exit_kind == "withdrawn":
        counts.withdrawn += 1
    elif person.exit_kind == "lost":
        counts.lost_to_follow_up += 1
    if person.exit_reason:
        counts.exit_reasons[person.exit_reason] += 1
    if person.primary_outcome_scored and not person.data_use_refused:
        counts.analysed += 1
    else:
        counts.not_analysed += 1
