"""The questionnaire pages as users meet them: one generic page draws every instrument from its
definition, in English or French; who may enter what; soft checks ask for a confirmation; the
blind second entry and the data-query pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from outcomes.instruments import DEFINITIONS, odi
from outcomes.models import InstrumentResponse, Verification
from tests.urlmatrix import seeded_ids
from trial.models import Participant, User
from trial.models.queries import DataQuery, QueryStatus
from trial.protocol import PROTOCOL

pytestmark = pytest.mark.django_db


def url(study_id: str, visit: str, instrument: str, suffix: str = "") -> str:
    return f"/participants/{study_id}/visits/{visit}/instruments/{instrument}/{suffix}"


@pytest.mark.parametrize(
    ("visit", "role"),
    [("baseline", "assessor"), ("week16", "assessor"), ("baseline", "coordinator")],
)
def test_every_instrument_of_a_visit_renders_every_item(client_for, visit: str, role: str) -> None:
    client, study_id = client_for(role), seeded_ids()["study_id"]
    shown = 0
    for name in PROTOCOL.visit(visit).forms:
        if name not in DEFINITIONS:
            continue
        response = client.get(url(study_id, visit, name))
        if role == "coordinator" and name == "odi":
            assert response.status_code == 403  # the primary outcome is the assessor's
            continue
        assert response.status_code == 200, name
        body = response.content.decode()
        for item in DEFINITIONS[name].items:
            assert f'data-item="{item.key}"' in body, (name, item.key)
        assert DEFINITIONS[name].version in body
        shown += 1
    assert shown >= 4


@pytest.mark.parametrize(
    ("role", "visit", "instrument", "status"),
    [
        ("coordinator", "week16", "promis29", 403),  # follow-up outcomes: blinded assessor
        ("coordinator", "baseline", "sf12", 200),
        ("coordinator", "baseline", "lsiq", 200),
        ("therapist", "baseline", "nprs", 403),
        ("therapist", "baseline", "lsiq", 403),
        ("monitor", "week16", "sri", 403),
        ("assessor", "week16", "sri", 200),
        ("assessor", "baseline", "sri", 404),  # the SRI is a week-16 form
        ("assessor", "week16", "not_an_instrument", 404),
    ],
)
def test_who_may_enter_what(client_for, role, visit, instrument, status) -> None:
    response = client_for(role).get(url(seeded_ids()["study_id"], visit, instrument))
    assert response.status_code == status


def test_labels_follow_the_language(client_for) -> None:
    client = client_for("assessor")
    target = url(seeded_ids()["study_id"], "week16", "odi")
    assert "Pain intensity" in client.get(target).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(target).content.decode()
    assert "Intensité de la douleur" in body and "Pain intensity" not in body


def test_soft_check_asks_for_confirmation_then_saves(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).last()
    client = client_for("assessor")
    target = url(participant.study_id, "week16", "ipaq_short")
    for stale in InstrumentResponse.objects.filter(
        participant=participant, visit_code="week16", instrument="ipaq_short"
    ):
        stale.delete(reason="test starts from an empty form")
    data = {
        "completed_on": "2026-11-20",
        "vig_days": "3",
        "vig_minutes": "0",
        "mod_days": "0",
        "mod_minutes": "0",
        "walk_days": "7",
        "walk_minutes": "45",
        "sit_minutes": "480",
    }
    asked = client.post(target, data)
    assert asked.status_code == 200 and b'data-testid="soft-checks"' in asked.content
    assert b"3 days with 0 or no minutes" in asked.content and b"confirm_warnings" in asked.content
    assert not InstrumentResponse.objects.filter(
        participant=participant, visit_code="week16", instrument="ipaq_short"
    ).exists()
    saved = client.post(target, {**data, "confirm_warnings": "on"})
    assert saved.status_code == 302
    response = InstrumentResponse.objects.get(
        participant=participant, visit_code="week16", instrument="ipaq_short"
    )
    assert response.total == pytest.approx(3.3 * 45 * 7) and response.entered_by.username


def test_out_of_range_values_are_refused_by_the_form(client_for) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).last()
    target = url(participant.study_id, "week16", "odi")
    before = InstrumentResponse.objects.filter(instrument="odi").count()
    data = {"completed_on": "2026-11-20", **{item: "2" for item in odi.ITEMS}, "odi_04": "7"}
    refused = client_for("assessor").post(target, data)
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content
    assert InstrumentResponse.objects.filter(instrument="odi").count() == before


def test_second_entry_is_blind_and_a_difference_becomes_a_query(client_for, role_users) -> None:
    second = User.objects.create_user("assessor-2", password="another-long-password-7")
    second.groups.add(Group.objects.get(name="assessor"))
    response = InstrumentResponse.objects.filter(
        instrument="odi", visit_code="baseline", verification=Verification.PENDING
    ).first()
    study_id = response.participant.study_id
    first_values = dict(response.responses)
    # The first enterer gets no second-entry link; the second entry is refused to them.
    own = client_for("assessor")
    assert b"Second entry (verify)" not in own.get(url(study_id, "baseline", "odi")).content
    client = Client()
    client.post("/login/", {"username": "assessor-2", "password": "another-long-password-7"})
    home = client.get("/home/assessor/").content.decode()
    assert f"{study_id}/visits/baseline/instruments/odi/verify/" in home
    page = client.get(url(study_id, "baseline", "odi", "verify/")).content.decode()
    assert "checked" not in page  # nothing of the first entry is shown
    changed = {**first_values, "odi_01": (first_values["odi_01"] + 1) % 6}
    posted = client.post(
        url(study_id, "baseline", "odi", "verify/"),
        {k: "" if v is None else str(v) for k, v in changed.items()},
    )
    assert posted.status_code == 302
    response.refresh_from_db()
    assert response.verification == Verification.DISCREPANT
    query = DataQuery.objects.get(participant=response.participant, field_name="odi_01")
    assert "1 data query to answer" in own.get("/home/assessor/").content.decode()
    # The first enterer answers from the query list, the data manager closes it.
    listed = own.get("/queries/").content.decode()
    assert f'data-query="{query.pk}"' in listed
    own.post(f"/queries/{query.pk}/answer/", {"text": "Paper says the first value."})
    manager = client_for("data_manager")
    manager.post(f"/queries/{query.pk}/close/", {"text": "first entry stands"})
    query.refresh_from_db()
    response.refresh_from_db()
    assert query.status == QueryStatus.CLOSED and query.answer.startswith("Paper says")
    assert response.verification == Verification.ADJUDICATED


def test_data_manager_raises_a_query_and_the_coordinator_sees_it(client_for) -> None:
    study_id = seeded_ids()["study_id"]
    manager = client_for("data_manager")
    assert manager.get(f"/participants/{study_id}/queries/new/").status_code == 200
    refused = manager.post(
        f"/participants/{study_id}/queries/new/",
        {"visit_code": "baseline", "form_code": "sf12", "field_name": "nope", "question": "?"},
    )
    assert b"sf12 has no field" in refused.content
    manager.post(
        f"/participants/{study_id}/queries/new/",
        {
            "visit_code": "baseline",
            "form_code": "sociodemographics",
            "field_name": "weight_kg",
            "question": "Weight 140 kg: please check.",
        },
    )
    query = DataQuery.objects.get(question__startswith="Weight 140 kg")
    assert query.status == QueryStatus.OPEN
    coordinator = client_for("coordinator")
    assert "Weight 140 kg" in coordinator.get(f"/participants/{study_id}/").content.decode()
    assert "open data quer" in coordinator.get("/home/coordinator/").content.decode()
    assert f'data-query="{query.pk}"' in coordinator.get("/queries/").content.decode()


def test_a_correction_on_the_page_needs_a_reason_but_a_confirmation_tick_does_not(
    client_for,
) -> None:
    response = InstrumentResponse.objects.filter(instrument="promis29").first()
    target = url(response.participant.study_id, response.visit_code, "promis29")
    data = {
        "completed_on": response.completed_on.isoformat(),
        **{key: "" if v is None else str(v) for key, v in response.responses.items()},
    }
    client = client_for("assessor")
    # Nothing changed but the tick: no reason asked, nothing to save but the same answers.
    unchanged = client.post(target, {**data, "confirm_warnings": "on"})
    assert unchanged.status_code == 302
    changed = {**data, "PFA11": "1" if data["PFA11"] != "1" else "2"}
    refused = client.post(target, changed)
    assert (
        refused.status_code == 200 and b"Give a reason for changing saved data" in refused.content
    )
    response.refresh_from_db()
    assert str(response.responses["PFA11"]) == data["PFA11"]
    saved = client.post(target, {**changed, "reason_for_change": "transcription error"})
    assert saved.status_code == 302
    response.refresh_from_db()
    assert str(response.responses["PFA11"]) == changed["PFA11"]


def test_save_and_next_goes_through_the_visits_questionnaires(client_for) -> None:
    """'Save and go to the next questionnaire' lands on the visit's next form not yet done (in
    the protocol's order) that the user may enter, and on the participant page after the last."""
    participant = Participant.objects.filter(randomized_on__isnull=False).last()
    assert not InstrumentResponse.objects.filter(participant=participant, visit_code="week16")
    client = client_for("assessor")
    forms = [f for f in PROTOCOL.visit("week16").forms if f in DEFINITIONS]
    data = {"completed_on": "2026-11-20", **{item: "2" for item in odi.ITEMS}, "save_next": "1"}
    response = client.post(url(participant.study_id, "week16", "odi"), data)
    assert response.status_code == 302
    assert response["Location"] == url(
        participant.study_id, "week16", forms[forms.index("odi") + 1]
    )
    # With every other questionnaire done, the next stop is the participant page.
    for name in forms:
        if name != "odi":
            InstrumentResponse.objects.get_or_create(
                participant=participant,
                visit_code="week16",
                instrument=name,
                defaults={
                    "completed_on": "2026-11-20",
                    "entered_by": response.wsgi_request.user,
                    "scoring_version": "test",
                },
            )
    again = client.post(
        url(participant.study_id, "week16", "odi"), {**data, "reason_for_change": "typo"}
    )
    assert (
        again.status_code == 302 and again["Location"] == f"/participants/{participant.study_id}/"
    )
