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


def test_the_event_page_refuses_a_resolution_before_the_onset(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    before = AdverseEvent.objects.count()
    onset = participant.randomized_on + dt.timedelta(days=2)
    response = client_for("therapist").post(
        f"/participants/{participant.study_id}/adverse-events/new/",
        {
            "onset_on": onset.isoformat(),
            "resolved_on": (onset - dt.timedelta(days=2)).isoformat(),
            "description": "sore after the session",
            "severity": "mild",
            "relatedness": "possible",
            "action_taken": "none",
            "outcome": "recovered",
        },
    )
    assert response.status_code == 200
    assert "cannot resolve before its onset" in response.content.decode()
    assert AdverseEvent.objects.count() == before  # nothing saved


def _inputs(html: str) -> dict[str, str]:
    """The named inputs of a page with their values (hidden management fields included)."""
    import re

    found = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_a_number_with_a_letter_is_refused_not_truncated(client_for) -> None:
    """A browser's number input turns "4O" into "4"; the field is text, the server refuses."""
    client = client_for("coordinator")
    html = client.get("/screening/new/").content.decode()
    assert 'name="age"' in html and 'inputmode="numeric"' in html
    assert 'type="number"' not in html
    before = ScreeningEntry.objects.count()
    data = {"screened_on": timezone.localdate().isoformat(), "source": "clinic", "age": "4O",
            "language": "en"}  # fmt: skip
    response = client.post("/screening/new/", data)
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
    assert ScreeningEntry.objects.count() == before


def test_consent_cannot_precede_screening(client_for) -> None:
    from tests.journey import assess, screen

    screened = timezone.localdate() - dt.timedelta(days=5)
    screening = assess(screen(on=screened))
    data = {"consent_version": "2.0", "consent_language": "en",
            "consent_date": (screened - dt.timedelta(days=1)).isoformat(),
            "first_name": "Ana", "last_name": "Roy", "date_of_birth": "1980-05-17"}  # fmt: skip
    response = client_for("coordinator").post(f"/screening/{screening.pk}/enrol/", data)
    assert response.status_code == 200
    assert "cannot precede screening" in response.content.decode()
    assert not Participant.objects.filter(screening=screening).exists()


def test_a_visit_cannot_precede_consent_even_with_a_reason(client_for, role_users) -> None:
    from tests.journey import enrolled
    from trial.models import VisitRecord

    consent = timezone.localdate() - dt.timedelta(days=10)
    participant = enrolled(role_users["coordinator"], consent_on=consent)
    response = client_for("coordinator").post(
        f"/participants/{participant.study_id}/visits/baseline/",
        {"outcome": "done", "done_on": (consent - dt.timedelta(days=1)).isoformat(),
         "out_of_window_reason": "entered late"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "would precede the consent" in response.content.decode()
    assert not VisitRecord.objects.filter(participant=participant).exists()


def test_an_attended_session_with_nothing_in_it_is_refused(client_for) -> None:
    from trial.models import TrainingSession

    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    logged = TrainingSession.objects.filter(participant=participant).count()
    url = f"/participants/{participant.study_id}/sessions/{logged + 1}/"
    therapist = client_for("therapist")
    data = _inputs(therapist.get(url).content.decode())
    data.update({"session_date": timezone.localdate().isoformat(), "attendance": "attended",
                 "duration_minutes": "45"})  # fmt: skip
    for name in [n for n in data if n.startswith("ex-") and n.split("-")[-1] != "exercise_code"]:
        if not name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            data[name] = ""  # no exercise filled in
    response = therapist.post(url, data)
    assert response.status_code == 200
    assert "at least one exercise" in response.content.decode()
    assert TrainingSession.objects.filter(participant=participant).count() == logged


def test_a_visit_is_done_only_with_its_forms_entered_or_explained(client_for, role_users) -> None:
    from tests.journey import enrolled
    from trial.models import VisitRecord
    from trial.protocol import PROTOCOL

    consent = timezone.localdate() - dt.timedelta(days=3)
    participant = enrolled(role_users["coordinator"], consent_on=consent)
    url = f"/participants/{participant.study_id}/visits/baseline/"
    client = client_for("coordinator")
    due = PROTOCOL.forms_due_at_visit("baseline")
    page = client.get(url).content.decode()
    assert all(f'name="not_done__{form.code}"' in page for form in due)
    assert 'name="not_done__actigraphy"' not in page  # worn the week after the visit
    data = {"outcome": "done", "done_on": timezone.localdate().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "enter each of its forms or say why it was not done" in text
    assert "Oswestry Disability Index" in text and "Lumbar MRI" in text
    assert not VisitRecord.objects.filter(participant=participant).exists()
    reasons = {f"not_done__{form.code}": f"{form.code} refused by the participant" for form in due}
    response = client.post(url, {**data, **reasons})
    assert response.status_code == 302
    record = VisitRecord.objects.get(participant=participant, visit_code="baseline")
    assert record.forms_not_done["odi"] == "odi refused by the participant"
    assert set(record.forms_not_done) == {form.code for form in due}


def test_consent_is_corrected_with_a_reason_within_its_bounds(client_for, role_users) -> None:
    from tests.journey import enrolled, not_entered
    from trial.models.audit import AuditEntry
    from trial.services.visits import record_visit

    consent = timezone.localdate() - dt.timedelta(days=10)
    participant = enrolled(role_users["coordinator"], consent_on=consent)
    url = f"/participants/{participant.study_id}/consent/"
    client = client_for("coordinator")
    assert "Consent" in client.get(f"/participants/{participant.study_id}/").content.decode()
    corrected = {"consent_version": "2.0", "consent_language": "en",
                 "consent_date": (consent - dt.timedelta(days=1)).isoformat()}  # fmt: skip
    response = client.post(url, corrected)
    assert "Give a reason for changing saved data." in response.content.decode()
    response = client.post(url, {**corrected, "reason_for_change": "typed the wrong day"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.consent_date == consent - dt.timedelta(days=1)
    trail = AuditEntry.objects.filter(subject=participant.study_id, field="consent_date")
    change = trail.order_by("id").last()
    assert change.action == "update" and change.reason == "typed the wrong day"
    record_visit(participant, "baseline", role_users["coordinator"], done_on=consent,
                 forms_not_done=not_entered("baseline"))  # fmt: skip
    too_late = {**corrected, "consent_date": (consent + dt.timedelta(days=2)).isoformat(),
                "reason_for_change": "moved"}  # fmt: skip
    response = client.post(url, too_late)
    assert "Consent cannot follow what was done under it" in response.content.decode()
    participant.refresh_from_db()
    assert participant.consent_date == consent - dt.timedelta(days=1)


def test_enrolling_twice_lands_on_the_participant(client_for, role_users) -> None:
    from tests.journey import enrolled

    participant = enrolled(role_users["coordinator"])
    response = client_for("coordinator").post(f"/screening/{participant.screening_id}/enrol/", {})
    assert response.status_code == 302
    assert response["Location"] == f"/participants/{participant.study_id}/"


@pytest.mark.parametrize(
    ("shift_days", "days", "message"),
    [(-2200, 2.1, "outside the visit"), (0, 5 / 1440, "a wear week needs at least 24")],
)
def test_an_actigraphy_file_must_fit_the_visit(client_for, tmp_path, shift_days, days, message):
    """A file from 2020 for a 2026 visit, or five minutes of recording, is refused at preview
    (the protocol's wear rule) and cannot be committed."""
    from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa
    from outcomes.models import ActigraphyRecording
    from tests.journey import wear_start

    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    start = wear_start(participant, "baseline") + dt.timedelta(days=shift_days)
    path = tmp_path / "week.cwa"
    write_cwa(path, week_accel(start, days, 12.5, planned_week(start.date(), nights=0)), start,
              fs=12.5)  # fmt: skip
    page = f"/participants/{participant.study_id}/visits/baseline/actigraphy/"
    client = client_for("coordinator")
    with path.open("rb") as handle:
        response = client.post(page, {"action": "upload", "cwa-file": handle}, follow=True)
    assert message in response.content.decode()
    assert not ActigraphyRecording.objects.filter(participant=participant).exists()
