"""Baseline case-report forms: derived values (age, BMI) are computed here, not typed."""

from __future__ import annotations

from django.db import transaction

from trial.models import MedicalHistory, Participant, Sociodemographics
from trial.models.baseline import bmi
from trial.protocol.dates import age_in_years


@transaction.atomic
def save_sociodemographics(
    record: Sociodemographics, participant: Participant, user: object, reason: str = ""
) -> Sociodemographics:
    """``record`` holds the entered values (from the form); age comes from the encrypted date
    of birth on the identity record, BMI from height and weight."""
    record.participant = participant
    if not record.pk:
        record.entered_by = user
    identity = getattr(participant, "identity", None)
    record.age_years = (
        age_in_years(identity.date_of_birth, record.completed_on) if identity else None
    )
    record.bmi = bmi(record.height_cm, record.weight_kg)
    record.save(reason=reason)
    return record


@transaction.atomic
def save_medical_history(
    record: MedicalHistory, participant: Participant, user: object, reason: str = ""
) -> MedicalHistory:
    record.participant = participant
    if not record.pk:
        record.entered_by = user
    record.save(reason=reason)
    return record
