"""Evaluate the protocol's eligibility criteria against screening facts (pure Python).

Each criterion gives met / not met / unknown (missing data). A person is eligible only when every
inclusion criterion holds and no exclusion criterion does; unknown is never eligible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trial.protocol.schema import Criterion, CriterionKind


@dataclass(frozen=True)
class CriterionResult:
    code: str
    kind: CriterionKind
    label: str
    holds: bool | None  # does the criterion's statement hold? None = facts missing
    missing: tuple[str, ...]

    @property
    def passed(self) -> bool:
        if self.holds is None:
            return False
        return self.holds if self.kind is CriterionKind.INCLUSION else not self.holds


@dataclass(frozen=True)
class EligibilityResult:
    results: tuple[CriterionResult, ...]

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        return tuple(r for r in self.results if r.holds is not None and not r.passed)

    @property
    def unknown(self) -> tuple[CriterionResult, ...]:
        return tuple(r for r in self.results if r.holds is None)


def evaluate(criteria: Sequence[Criterion], facts: Mapping[str, object]) -> EligibilityResult:
    results = []
    for criterion in criteria:
        holds = criterion.test(facts)
        missing = tuple(name for name in criterion.needs if facts.get(name) is None)
        results.append(
            CriterionResult(
                criterion.code,
                criterion.kind,
                criterion.label,
                holds,
                missing if holds is None else (),
            )
        )
    return EligibilityResult(tuple(results))
