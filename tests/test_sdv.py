"""Source-data verification: the monitor marks a form verified against source; the mark stops
counting when the data change and the form is back to verify; only the monitor may mark."""

from __future__ import annotations

import pytest

from outcomes.instruments.services import save_instrument_response
from outcomes.models import InstrumentResponse
from trial.exceptions import JourneyError
from trial.services.sdv import NothingToVerify, SdvState, verify

pytestmark = pytest.mark.django_db


def _state(page: str, key: str) -> str:
    marker = f'data-form="{key}" data-state="'
    assert marker in page, key
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_a_mark_resets_when_the_data_change(role_users: dict, client_for) -> None:
    odi = InstrumentResponse.objects.filter(instrument="odi").order_by("pk").first()
    participant, visit = odi.participant, odi.visit_code
    url = f"/participants/{participant.study_id}/source-verification/"
    monitor = client_for("monitor")
    assert _state(monitor.get(url).content.decode(), f"{visit}:odi") == SdvState.TO_VERIFY
    response = monitor.post(url, {"visit": visit, "form": "odi"})
    assert response.status_code == 302
    page = monitor.get(url).content.decode()
    assert _state(page, f"{visit}:odi") == SdvState.VERIFIED
    assert "monitor" in page  # who verified

    answers = dict(odi.responses)
    first = sorted(answers)[0]
    answers[first] = 5 - int(answers[first]) if answers[first] is not None else 1
    save_instrument_response(participant, visit, "odi", answers, odi.completed_on,
                             role_users["assessor"], reason="transcription error",
                             confirmed=True)  # fmt: skip
    page = monitor.get(url).content.decode()
    assert _state(page, f"{visit}:odi") == SdvState.CHANGED
    home = monitor.get("/", follow=True).content.decode()
    assert 'data-testid="sdv-progress"' in home and participant.study_id in home

    verify(role_users["monitor"], participant, visit, "odi")  # verified again: it counts again
    assert _state(monitor.get(url).content.decode(), f"{visit}:odi") == SdvState.VERIFIED


def test_only_the_monitor_marks_and_only_entered_forms(role_users: dict, client_for) -> None:
    odi = InstrumentResponse.objects.filter(instrument="odi").order_by("pk").first()
    with pytest.raises(JourneyError, match="may not verify"):
        verify(role_users["data_manager"], odi.participant, odi.visit_code, "odi")
    with pytest.raises(NothingToVerify):
        verify(role_users["monitor"], odi.participant, odi.visit_code, "actigraphy")
    url = f"/participants/{odi.participant.study_id}/source-verification/"
    assert client_for("coordinator").get(url).status_code == 403
    detail = client_for("monitor").get(f"/participants/{odi.participant.study_id}/")
    assert 'data-testid="sdv-link"' in detail.content.decode()
    coordinator_page = client_for("coordinator").get(f"/participants/{odi.participant.study_id}/")
    assert 'data-testid="sdv-link"' not in coordinator_page.content.decode()
