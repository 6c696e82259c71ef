"""Evaluate the protocol's eligibility rules for a screened person and store the result."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trial.eligibility import EligibilityResult, evaluate
from trial.exceptions import OverrideRefused
from trial.models import EligibilityAssessment, MriSafety, ScreeningEntry
from trial.models.screening import ScreeningOutcome
from trial.protocol import PROTOCOL

_DECIDED_BY_RULES = {
    ScreeningOutcome.PENDING,
    ScreeningOutcome.ELIGIBLE,
    ScreeningOutcome.NOT_ELIGIBLE,
}


def _fields_of(model: type, names: tuple[str, ...]) -> list[str]:
    fields = {field.name for field in model._meta.get_fields()}  # type: ignore[attr-defined]
    return [name for name in names if name in fields]


def facts_for(screening: ScreeningEntry) -> dict[str, object]:
    facts: dict[str, object] = {
        "screened_on": screening.screened_on,
        "age_at_screening": screening.age,
        "languages": [screening.language],
    }
    # The facts the protocol's criteria read, from whichever form stores each (a blank choice
    # counts as unknown); the lists are not restated here.
    needed = PROTOCOL.facts_needed()
    assessment = getattr(screening, "eligibility", None)
    if assessment is not None:
        for name in _fields_of(EligibilityAssessment, needed):
            value = getattr(assessment, name)
            facts[name] = None if value == "" else value
    safety = getattr(screening, "mri_safety", None)
    if safety is not None:
        for name in _fields_of(MriSafety, needed):
            facts[name] = getattr(safety, name)
        facts["mri_cleared_by_unit"] = safety.mri_cleared_by_unit
    return facts


def evaluate_screening(screening: ScreeningEntry) -> EligibilityResult:
    return evaluate(PROTOCOL.criteria, facts_for(screening))


@transaction.atomic
def store_evaluation(screening: ScreeningEntry, reason: str = "") -> EligibilityResult:
    """Re-evaluate after the facts changed; the screening outcome follows the rules unless the
    person declined or could not be reached (those are facts, not rule results)."""
    assessment, _ = EligibilityAssessment.objects.get_or_create(
        screening=screening, defaults={"protocol_version": PROTOCOL.version}
    )
    screening.eligibility = assessment
    result = evaluate_screening(screening)
    assessment.protocol_version = PROTOCOL.version
    assessment.eligible = result.eligible
    assessment.failed_criteria = [r.code for r in result.failed]
    assessment.unknown_criteria = [r.code for r in result.unknown]
    why = reason or "eligibility re-evaluated after its facts changed"
    assessment.save(reason=why)
    if screening.outcome in _DECIDED_BY_RULES:
        if result.eligible:
            outcome = ScreeningOutcome.ELIGIBLE
        elif result.failed:
            outcome = ScreeningOutcome.NOT_ELIGIBLE
        else:
            outcome = ScreeningOutcome.PENDING
        if outcome != screening.outcome:
            screening.outcome = outcome
            screening.save(reason=why)
    return result


@transaction.atomic
def save_facts(
    record: EligibilityAssessment | MriSafety, screening: ScreeningEntry, reason: str = ""
) -> EligibilityResult:
    """Save eligibility facts (the assessment or the MRI safety answers) and re-evaluate."""
    record.screening = screening
    record.save(reason=reason)
    return store_evaluation(screening, reason=reason)


@transaction.atomic
def override_eligibility(screening: ScreeningEntry, user: object, reason: str) -> None:
    """Let a person a rule excludes be enrolled: PI only, with a reason, audited."""
    if not user.has_perm("trial.override_eligibility"):  # type: ignore[attr-defined]
        raise OverrideRefused("Only the principal investigator can override eligibility.")
    if not reason.strip():
        raise OverrideRefused("An eligibility override needs a reason.")
    assessment = EligibilityAssessment.objects.select_for_update().get(screening=screening)
    assessment.override_reason = reason.strip()
    assessment.overridden_by = user
    assessment.overridden_at = timezone.now()
    assessment.save(reason=f"eligibility override: {reason.strip()}")
