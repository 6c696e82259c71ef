"""The journey's web forms as users submit them: derived values, the session log with its
exercise rows, adverse events, and a withdrawal leaving the worklist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from randomization.selectors import arm_for_service
from randomization.services import randomise
from trial.forms.sessions import exercise_initial
from trial.models import AdverseEvent, Participant, Sociodemographics, TrainingSession
from trial.protocol import PROTOCOL
from trial.protocol.dates import age_in_years

pytestmark = pytest.mark.django_db


def test_sociodemographics_derive_age_and_bmi(client_for) -> None:
    participant = Participant.objects.filter(sociodemographics__isnull=True).first()
    url = f"/participants/{participant.study_id}/sociodemographics/"
    data = {
        "completed_on": "2026-11-20",
        "sex": "female",
        "gender": "woman",
        "education": "college",
        "employment": "part_time",
        "work_status": "modified_duties",
        "lbp_duration_months": "14",
        "lbp_history": "recurrent",
        "height_cm": "165.0",
        "weight_kg": "68.0",
    }
    assert client_for("coordinator").post(url, data).status_code == 302
    saved = Sociodemographics.objects.get(participant=participant)
    assert saved.bmi == Decimal("25.0")  # 68 / 1.65**2 = 24.98
    expected = age_in_years(participant.identity.date_of_birth, dt.date(2026, 11, 20))
    assert saved.age_years == expected


def _session_post(template_code: str, rows: list[dict], **fields: str) -> dict:
    data = {
        "session_date": fields.get("session_date", dt.date.today().isoformat()),
        "attendance": fields.get("attendance", "attended"),
        "duration_minutes": fields.get("duration_minutes", "55"),
        "missed_reason": fields.get("missed_reason", ""),
        "notes": "",
        "ex-TOTAL_FORMS": str(len(rows)),
        "ex-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"ex-{index}-{key}"] = "" if value is None else str(value)
    return data


def test_therapist_logs_a_session_with_its_exercises(role_users, client_for) -> None:
    waiting = Participant.objects.get(randomized_on__isnull=True, visits__visit_code="baseline")
    randomise(waiting, role_users["therapist"], on=dt.date.today())
    template = PROTOCOL.sessions.template_for(arm_for_service(waiting.pk), 1)
    rows = exercise_initial(template, [])
    rows[0].update(sets=3, reps=12, load="40.5", rpe=7)
    if template.individualised:
        rows[1].update(exercise_name="Bird-dog", sets=2, reps=10, rpe=4)
    client = client_for("therapist")
    url = f"/participants/{waiting.study_id}/sessions/1/"
    response = client.post(url, _session_post(template.code, rows))
    assert response.status_code == 302, response.content.decode()[-2000:]
    session = TrainingSession.objects.get(participant=waiting, number=1)
    assert session.template_code == template.code and session.duration_minutes == 55
    logged = {e.exercise_code: e for e in session.exercises.all()}
    assert logged[template.exercises[0].code].load == Decimal("40.5")
    assert len(logged) == (2 if template.individualised else 1)
    # Sets without reps are refused row by row, and nothing more is saved.
    rows[0].update(reps=None)
    refused = client.post(url, {**_session_post(template.code, rows), "reason_for_change": "x"})
    assert refused.status_code == 200 and "Give sets and reps" in refused.content.decode()
    assert session.exercises.count() == len(logged)
    adherence = client_for("coordinator").get(f"/participants/{waiting.study_id}/").content
    assert b'data-testid="adherence">1/48' in adherence


def test_therapist_reports_an_adverse_event(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    before = AdverseEvent.objects.count()
    response = client_for("therapist").post(
        f"/participants/{participant.study_id}/adverse-events/new/",
        {
            "onset_on": "2026-11-18",
            "description": "Knee pain after step-ups",
            "save_despite_terms": "on",  # "step-ups" names an exercise: warned, then kept
            "severity": "moderate",
            "relatedness": "possible",
            "action_taken": "modified",
            "outcome": "recovering",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get(description="Knee pain after step-ups")
    assert AdverseEvent.objects.count() == before + 1 and not event.serious
    assert event.reported_by.username == "therapist"


def test_withdrawal_takes_the_participant_off_the_coordinator_worklist(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=True, exit__isnull=True).last()
    client = client_for("coordinator")
    assert participant.study_id in client.get("/home/coordinator/").content.decode()
    response = client.post(
        f"/participants/{participant.study_id}/exit/",
        {
            "kind": "withdrawn",
            "exit_on": "2026-11-21",
            "reason": "time_constraints",
            "data_use": "collected",
        },
    )
    assert response.status_code == 302
    assert participant.study_id not in client.get("/home/coordinator/").content.decode()
    page = client.get(f"/participants/{participant.study_id}/").content.decode()
    assert "withdrawn" in page and "Data collected up to the exit date only" in page
