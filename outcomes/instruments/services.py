"""Saving a questionnaire: validated, soft-checked, scored on save with its version.

The stratification questionnaire is frozen once the participant is randomised (a correction
needs a reason and may flag the participant as mis-stratified; the stratum used never changes).
The primary outcome starts "awaiting second entry" (see ``outcomes.instruments.double_entry``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from outcomes.exceptions import NeedsConfirmation
from outcomes.instruments import definition
from outcomes.instruments.base import Instrument, Text
from outcomes.instruments.double_entry import after_correction, refuse_if_locked
from outcomes.models import InstrumentResponse, Verification
from trial.audit.exceptions import ReasonRequired
from trial.models import Participant
from trial.protocol import PROTOCOL


def warnings_for(spec: Instrument, answers: Mapping[str, int | None]) -> list[Text]:
    """Soft checks of the instrument plus unanswered items, on validated answers."""
    blank = [key for key, value in answers.items() if value is None]
    warnings = list(spec.soft_checks(answers))
    if blank:
        warnings.insert(
            0,
            Text(
                f"{len(blank)} item{'s' if len(blank) > 1 else ''} not answered: "
                f"{', '.join(blank)}.",
                f"{len(blank)} question{'s' if len(blank) > 1 else ''} sans réponse : "
                f"{', '.join(blank)}.",
            ),
        )
    return warnings


@transaction.atomic
def save_instrument_response(
    participant: Participant,
    visit_code: str,
    instrument: str,
    responses: Mapping[str, object],
    completed_on: dt.date,
    user: object,
    reason: str = "",
    confirmed: bool = False,
) -> InstrumentResponse:
    """Create or correct one questionnaire. ``InvalidResponse`` (naming the item) and
    ``NeedsConfirmation`` (soft checks, unless ``confirmed``) save nothing."""
    refuse_if_locked()
    visit = PROTOCOL.visit(visit_code)
    if instrument not in visit.forms:
        raise ValueError(f"{instrument} is not a form of the {visit.label} visit.")
    spec = definition(instrument)
    answers = spec.validate(responses)  # raises InvalidResponse, once
    result = spec.scorer(answers)
    warnings = warnings_for(spec, answers)
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    response = InstrumentResponse.objects.filter(
        participant=locked, visit_code=visit_code, instrument=instrument
    ).first() or InstrumentResponse(
        participant=locked,
        visit_code=visit_code,
        instrument=instrument,
        entered_by=user,
        verification=Verification.PENDING
        if instrument == PROTOCOL.primary_outcome
        else Verification.NOT_REQUIRED,
    )
    frozen = instrument == PROTOCOL.stratification.instrument and locked.is_randomised
    if frozen and not reason.strip():
        raise ReasonRequired(
            f"{instrument.upper()} of {locked.study_id} (frozen at randomisation)", ["responses"]
        )
    correcting = response.pk is not None
    response.responses = dict(responses)
    response.completed_on = completed_on
    response.total = result.total
    response.subscores = dict(result.subscores)
    response.missing_items = list(result.missing)
    response.scoring_version = result.version
    if correcting:
        after_correction(response)
    response.save(reason=reason)
    if frozen and result.total is not None:
        stratum = PROTOCOL.stratification.stratum_for(result.total)
        if stratum != locked.randomization_stratum and not locked.mis_stratified:
            locked.mis_stratified = True
            locked.save(reason=f"mis-stratified: corrected {instrument.upper()} ({reason.strip()})")
    return response


def rescore(instrument: str) -> tuple[int, int]:
    """Recompute every stored score of ``instrument`` with the current scoring version.

    Each changed row is saved with a reason naming both versions, so the old scores stay in the
    audit trail. Returns (responses checked, responses changed)."""
    spec = definition(instrument)
    checked = changed = 0
    for pk in InstrumentResponse.objects.filter(instrument=instrument).values_list("pk", flat=True):
        with transaction.atomic():
            response = InstrumentResponse.objects.select_for_update().get(pk=pk)
            result = spec.score(response.responses)
            checked += 1
            new = (result.total, dict(result.subscores), list(result.missing), result.version)
            old = (
                response.total,
                response.subscores,
                response.missing_items,
                response.scoring_version,
            )
            if new == old:
                continue
            previous = response.scoring_version
            response.total, response.subscores, response.missing_items = new[0], new[1], new[2]
            response.scoring_version = result.version
            response.save(reason=f"rescored with {result.version} (was {previous})")
            changed += 1
    return checked, changed
