"""Saving a questionnaire: scored on save with its version; the stratification questionnaire is
frozen once the participant is randomised (a correction needs a reason and may flag the
participant as mis-stratified; the stratum used never changes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from outcomes.instruments import score
from outcomes.models import InstrumentResponse
from trial.audit.exceptions import ReasonRequired
from trial.models import Participant
from trial.protocol import PROTOCOL


@transaction.atomic
def save_instrument_response(
    participant: Participant,
    visit_code: str,
    instrument: str,
    responses: Mapping[str, object],
    completed_on: dt.date,
    user: object,
    reason: str = "",
) -> InstrumentResponse:
    """Create or correct one questionnaire; ``InvalidResponse`` (naming the item) saves nothing."""
    result = score(instrument, responses)
    visit = PROTOCOL.visit(visit_code)
    if instrument not in visit.forms:
        raise ValueError(f"{instrument} is not a form of the {visit.label} visit.")
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    response = InstrumentResponse.objects.filter(
        participant=locked, visit_code=visit_code, instrument=instrument
    ).first() or InstrumentResponse(
        participant=locked, visit_code=visit_code, instrument=instrument, entered_by=user
    )
    frozen = instrument == PROTOCOL.stratification.instrument and locked.is_randomised
    if frozen and not reason.strip():
        raise ReasonRequired(
            f"{instrument.upper()} of {locked.study_id} (frozen at randomisation)", ["responses"]
        )
    response.responses = dict(responses)
    response.completed_on = completed_on
    response.total = result.total
    response.subscores = dict(result.subscores)
    response.missing_items = list(result.missing)
    response.scoring_version = result.version
    response.save(reason=reason)
    if frozen and result.total is not None:
        stratum = PROTOCOL.stratification.stratum_for(result.total)
        if stratum != locked.randomization_stratum and not locked.mis_stratified:
            locked.mis_stratified = True
            locked.save(reason=f"mis-stratified: corrected {instrument.upper()} ({reason.strip()})")
    return response
