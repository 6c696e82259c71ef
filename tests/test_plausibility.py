"""Dates a clinic cannot have yet are refused with a clear message and nothing is saved (issue 24,
first rules): a questionnaire, a screening entry or any clinical event dated after today (the
trial's time zone), and an adverse event resolved before its onset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes.instruments import odi
from outcomes.models import InstrumentResponse
from trial.models import AdverseEvent, Participant, ScreeningEntry

pytestmark = pytest.mark.django_db


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_a_questionnaire_dated_tomorrow_is_refused(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).last()
    page = f"/participants/{participant.study_id}/visits/week16/instruments/odi/"
    before = InstrumentResponse.objects.count()
    data = {"completed_on": _tomorrow(), **{item: "2" for item in odi.ITEMS}}
    response = client_for("assessor").post(page, data)
    assert response.status_code == 200
    assert "is in the future" in response.content.decode()
    assert InstrumentResponse.objects.count() == before


def test_a_screening_dated_tomorrow_is_refused(client_for) -> None:
    before = ScreeningEntry.objects.count()
    response = client_for("coordinator").post(
        reverse("screening_new"),
        {
            "screened_on": _tomorrow(),
            "source": "clinic",
            "age": "40",
            "language": "en",
            "outcome": "pending",
        },
    )
    assert response.status_code == 200 and "is in the future" in response.content.decode()
    assert ScreeningEntry.objects.count() == before


def test_an_event_cannot_resolve_before_its_onset(role_users) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    event = AdverseEvent(
        participant=participant,
        onset_on=dt.date(2026, 11, 10),
        resolved_on=dt.date(2026, 11, 8),
        description="back pain flare",
        severity="mild",
        relatedness="possible",
        action_taken="none",
        outcome="recovered",
        reported_by=role_users["therapist"],
    )
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "resolve before its onset" in str(refused.value.message_dict["resolved_on"])
