"""Enrolment: a study ID that is never reused, consent, identity kept apart and encrypted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from trial.exceptions import AlreadyEnrolled, DatesOutOfOrder, NotEligible
from trial.models import (
    EligibilityAssessment,
    Participant,
    ParticipantIdentity,
    ScreeningEntry,
    StudyIdCounter,
)
from trial.services.eligibility import store_evaluation

STUDY_ID_PREFIX = "SB-"


@dataclass(frozen=True)
class Consent:
    version: str
    language: str
    signed_on: dt.date


@dataclass(frozen=True)
class Identity:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    email: str = ""
    phone: str = ""
    address: str = ""


def next_study_id() -> str:
    """The next number, under a row lock; the counter only goes up, so no ID comes back."""
    counter, _ = StudyIdCounter.objects.select_for_update().get_or_create(name="participant")
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{STUDY_ID_PREFIX}{counter.last_value:03d}"


@transaction.atomic
def enrol(
    screening: ScreeningEntry, consent: Consent, identity: Identity, user: object
) -> Participant:
    """Enrol an eligible person (or one a PI override lets through) with consent on record.

    The date of birth given here is checked against the age rule again, so a person cannot be
    enrolled on a stated age the identity contradicts.
    """
    screening = ScreeningEntry.objects.select_for_update().get(pk=screening.pk)
    if Participant.objects.filter(screening=screening).exists():
        raise AlreadyEnrolled(f"{screening.screening_code} is already enrolled.")
    if consent.signed_on < screening.screened_on:
        raise DatesOutOfOrder(
            f"Consent ({consent.signed_on:%Y-%m-%d}) cannot precede screening "
            f"({screening.screened_on:%Y-%m-%d})."
        )
    assessment = EligibilityAssessment.objects.filter(screening=screening).first()
    if assessment is None:
        raise NotEligible([])
    if assessment.date_of_birth != identity.date_of_birth:
        assessment.date_of_birth = identity.date_of_birth
        assessment.save(reason="date of birth confirmed at enrolment")
    result = store_evaluation(screening, reason="eligibility confirmed at enrolment")
    assessment.refresh_from_db()
    if not result.eligible and not assessment.overridden_by_id:
        raise NotEligible([r.label for r in result.failed] + [r.label for r in result.unknown])
    participant = Participant.objects.create(
        study_id=next_study_id(),
        screening=screening,
        consent_version=consent.version,
        consent_language=consent.language,
        consent_date=consent.signed_on,
        consent_obtained_by=user,
    )
    ParticipantIdentity.objects.create(
        participant=participant,
        first_name=identity.first_name,
        last_name=identity.last_name,
        date_of_birth=identity.date_of_birth,
        email=identity.email,
        phone=identity.phone,
        address=identity.address,
    )
    return participant
