"""Faster entry (issue 24, in part): a new session starts from the last session of the same
template, with today's effort left to rate."""

from __future__ import annotations

import pytest

from trial.models import Participant, TrainingSession
from trial.models.sessions import Attendance
from trial.services.sessions import template_for

pytestmark = pytest.mark.django_db


def test_a_new_session_carries_over_the_last_one_of_its_template(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    sessions = TrainingSession.objects.filter(participant=participant)
    last = sessions.order_by("-number").first()
    number = last.number + 1
    template = template_for(participant, number)
    source = (
        sessions.filter(template_code=template.code, attendance=Attendance.ATTENDED)
        .order_by("-number")
        .first()
    )
    assert source is not None and source.exercises.exists(), "the demo logs attended sessions"
    html = (
        client_for("therapist")
        .get(f"/participants/{participant.study_id}/sessions/{number}/")
        .content.decode()
    )
    assert 'data-testid="carried-over"' in html and f"session {source.number}" in html
    for entry in source.exercises.all():
        if entry.load is not None:
            assert f'value="{entry.load}"' in html or f'value="{entry.load:g}"' in html
    assert 'name="ex-0-rpe" value=""' in html  # effort: today's to rate


def test_a_saved_screening_entry_lands_on_itself_with_the_next_step(client_for) -> None:
    from django.utils import timezone

    from trial.models import ScreeningEntry

    client = client_for("coordinator")
    data = {"screened_on": timezone.localdate().isoformat(), "source": "clinic", "age": "41",
            "language": "fr", "outcome": "pending"}  # fmt: skip
    response = client.post("/screening/new/", data)
    entry = ScreeningEntry.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == f"/screening/{entry.pk}/"
    page = client.get(response["Location"]).content.decode()
    step = page.split('data-testid="next-action"')[1].split("</p>")[0]
    assert f"/screening/{entry.pk}/eligibility/" in step and "Assess eligibility" in step


def test_the_participant_list_searches_filters_and_pages(client_for, monkeypatch) -> None:
    from strongback.views import participants as views

    client = client_for("coordinator")
    first = Participant.objects.order_by("study_id").first()
    found = client.get("/participants/", {"q": first.study_id.lower()}).content.decode()
    table = found.split('data-testid="participant-list"')[1]
    assert first.study_id in table and table.count("/participants/SB-") == 1
    randomised = client.get("/participants/", {"stage": "randomised"}).content.decode()
    rows = randomised.split('data-testid="participant-list"')[1].split("</tbody>")[0]
    expected = {p.study_id for p in Participant.objects.filter(randomized_on__isnull=False)}
    assert {sid for sid in expected if sid in rows} and "consented" not in rows
    monkeypatch.setattr(views, "PARTICIPANTS_PER_PAGE", 1)
    page_1 = client.get("/participants/").content.decode()
    assert "Page 1 of" in page_1 and "page=2" in page_1
    page_2 = client.get("/participants/", {"page": "2"}).content.decode()
    second = Participant.objects.order_by("study_id")[1].study_id
    assert f"/participants/{second}/" in page_2.split('data-testid="participant-list"')[1]


def test_the_next_questionnaire_of_a_sitting_has_its_date_filled_in(role_users, client_for) -> None:
    import datetime as dt

    from django.utils import timezone

    from outcomes.instruments import nprs
    from outcomes.instruments.services import save_instrument_response
    from tests.journey import enrolled

    today = timezone.localdate()
    person = enrolled(role_users["coordinator"], consent_on=today - dt.timedelta(days=5))
    url = f"/participants/{person.study_id}/visits/baseline/instruments/sf12/"
    first = client_for("coordinator").get(url).content.decode()
    assert 'name="completed_on"' in first and "autofocus" in first
    assert 'name="completed_on" value=' not in first  # nothing entered yet: no guess
    sitting = today - dt.timedelta(days=1)
    save_instrument_response(
        person, "baseline", "nprs", dict.fromkeys(nprs.ITEMS, 3), sitting, role_users["coordinator"]
    )
    page = client_for("coordinator").get(url).content.decode()
    assert f'value="{sitting.isoformat()}"' in page


def test_a_questionnaire_submitted_twice_is_saved_once_and_lands_on_it(
    role_users, client_for
) -> None:
    """A double click on Save: the second identical submit changes nothing and asks no reason."""
    import datetime as dt

    from django.utils import timezone

    from outcomes.instruments import DEFINITIONS
    from outcomes.models import InstrumentResponse
    from tests.journey import enrolled
    from trial.models import AuditEntry

    today = timezone.localdate()
    person = enrolled(role_users["coordinator"], consent_on=today - dt.timedelta(days=3))
    url = f"/participants/{person.study_id}/visits/baseline/instruments/sf12/"
    answers = {item.key: str(item.choices[0][0]) for item in DEFINITIONS["sf12"].items}
    data = {"completed_on": today.isoformat(), **answers}
    client = client_for("coordinator")
    first = client.post(url, data)
    audit_rows = AuditEntry.objects.count()
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert InstrumentResponse.objects.filter(participant=person, instrument="sf12").count() == 1
    assert AuditEntry.objects.count() == audit_rows  # nothing changed, nothing recorded
