"""Journey pages as each role sees them: blinding of the LSIQ and the arm, worklists, CONSORT,
constant query counts, out-of-window saves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes.models import InstrumentResponse
from randomization.models import AllocationSlot
from tests.conftest import DEMO_PASSWORD
from tests.test_blinding import assert_no_leak
from tests.urlmatrix import concrete_urls, seeded_ids
from trial.models import (
    AdverseEvent,
    DataQuery,
    Participant,
    ScreeningEntry,
    SourceVerification,
    TrainingSession,
    VisitRecord,
)
from trial.protocol import PROTOCOL

pytestmark = pytest.mark.django_db

ARM_TEXT = [a.code for a in PROTOCOL.arms] + [a.label for a in PROTOCOL.arms]
EXERCISE_TEXT = [
    "Isolated lumbar extension",
    "Deadlift",
    "Goblet squat",
    "medx_ilex",
    "mc_ilex",
    "free_weight_",
]


def _own_pages() -> list:
    return [u for u in concrete_urls(seeded_ids()) if "admin" not in u.namespaces]


def test_therapist_never_sees_lsiq_answers_score_or_stratum(client_for) -> None:
    client = client_for("therapist")
    assert InstrumentResponse.objects.filter(instrument="lsiq").exists()
    for url in _own_pages():
        body = client.get(url.path).content.decode().lower()
        assert "lsiq" not in body, url
        assert "instability" not in body, url
    # The questionnaire page itself refuses, and its refusal names nothing.
    study_id = seeded_ids()["study_id"]
    refused = client.post(
        f"/participants/{study_id}/visits/baseline/instruments/lsiq/", {"lsiq_01": "1"}
    )
    assert refused.status_code == 403 and b"lsiq" not in refused.content.lower()


def test_therapist_sees_the_arm_and_sessions_the_assessor_sees_neither(client_for) -> None:
    study_id = seeded_ids()["study_id"]
    arm = AllocationSlot.objects.get(participant__study_id=study_id).arm
    label = PROTOCOL.arm(arm).label
    therapist_page = client_for("therapist").get(f"/participants/{study_id}/").content.decode()
    assert label in therapist_page and 'data-testid="sessions"' in therapist_page
    assessor = client_for("assessor")
    for url in _own_pages():
        response = assessor.get(url.path)
        if response.get("Content-Type", "").startswith("image/"):
            continue  # MRI slices and overlays: pixels, no text
        body = response.content.decode()
        assert_no_leak(body, url)  # both arms named equally (the guess form) tells nothing
        for text in [*EXERCISE_TEXT, "Adherence", "adverse event"]:
            assert text not in body, (url, text)


@pytest.mark.parametrize(
    "role", ["coordinator", "assessor", "monitor", "statistician", "data_manager"]
)
def test_consort_is_pooled_for_blinded_roles(client_for, role: str) -> None:
    body = client_for(role).get("/consort/").content.decode()
    assert "Pooled counts" in body
    assert not any(text in body for text in ARM_TEXT)


@pytest.mark.parametrize("role", ["pi", "therapist"])
def test_consort_by_arm_for_unblinded_roles(client_for, role: str) -> None:
    body = client_for(role).get("/consort/").content.decode()
    assert all(arm.label in body for arm in PROTOCOL.arms)
    randomised = Participant.objects.filter(randomized_on__isnull=False).count()
    assert f'<dt class="col-sm-6">Randomised</dt><dd class="col-sm-6">{randomised}</dd>' in body


def test_out_of_window_visit_needs_a_reason_on_the_web_form(client_for, role_users) -> None:
    from tests.journey import enrolled

    # Consented 45 days ago: day 40 is outside the baseline window (0..28), after consent and
    # not in the future (dates before consent or after today are refused before the window).
    consent = timezone.localdate() - dt.timedelta(days=45)
    participant = enrolled(role_users["coordinator"], consent_on=consent)
    client = client_for("coordinator")
    late = consent + dt.timedelta(days=40)
    assert not PROTOCOL.visit("baseline").in_window(consent, late)
    url = f"/participants/{participant.study_id}/visits/baseline/"
    response = client.post(url, {"outcome": "done", "done_on": late.isoformat()})
    assert response.status_code == 200
    assert "outside the Baseline assessment window" in response.content.decode()
    assert not VisitRecord.objects.filter(participant=participant, visit_code="baseline").exists()
    response = client.post(
        url,
        {
            "outcome": "done",
            "done_on": late.isoformat(),
            "out_of_window_reason": "MRI slot late",
            **{
                f"not_done__{f.code}": "not in this test"
                for f in PROTOCOL.forms_due_at_visit("baseline")
            },
        },
    )
    assert response.status_code == 302
    assert VisitRecord.objects.get(participant=participant, visit_code="baseline").out_of_window


def test_serious_event_flagged_to_the_pi_until_reviewed(client_for) -> None:
    event = AdverseEvent.objects.get(serious=True)
    pi = client_for("pi")
    assert event.description[:40] in pi.get("/home/pi/").content.decode()
    assert (
        client_for("coordinator").post(f"/adverse-events/{event.pk}/acknowledge/").status_code
        == 403
    )
    url = f"/adverse-events/{event.pk}/acknowledge/"
    assert pi.post(url, {"password": "not-mine"}).status_code == 302
    event.refresh_from_db()
    assert event.pi_reviewed_at is None  # the review is a signature: no password, no review
    assert pi.post(url, {"password": DEMO_PASSWORD}).status_code == 302
    assert "No serious adverse event awaits review" in pi.get("/home/pi/").content.decode()
    from trial.models import ElectronicSignature

    assert ElectronicSignature.objects.filter(
        object_type="serious_event_review", object_key=str(event.pk), meaning="reviewed"
    ).exists()


def test_therapist_randomises_at_session_1_and_logs_it(client_for) -> None:
    waiting = Participant.objects.filter(
        randomized_on__isnull=True, visits__visit_code="baseline"
    ).first()
    therapist = client_for("therapist")
    home = therapist.get("/home/therapist/").content.decode()
    assert waiting.study_id in home and "Session 1: randomise" in home
    response = therapist.post(f"/participants/{waiting.study_id}/randomise/")
    assert response.status_code == 302 and response["Location"].endswith("/sessions/1/")
    again = therapist.post(f"/participants/{waiting.study_id}/randomise/")
    assert again.status_code == 302  # idempotent: same slot
    assert AllocationSlot.objects.filter(participant=waiting).count() == 1
    page = therapist.get(response["Location"]).content.decode()
    template = PROTOCOL.sessions.template_for(
        AllocationSlot.objects.get(participant=waiting).arm, 1
    )
    assert template.exercises[0].label.split(" (")[0] in page


def _bulk_participants(count: int, coordinator: object, therapist: object) -> None:
    """Many participants at mixed stages, created in bulk (the same rows the services write)."""
    today = dt.date.today()
    start = Participant.objects.count()
    screenings = ScreeningEntry.objects.bulk_create(
        [
            ScreeningEntry(
                screened_on=today - dt.timedelta(days=60),
                source="clinic",
                age=40,
                language="en",
                outcome="eligible",
            )
            for _ in range(count)
        ]
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                study_id=f"SB-{900000 + start + i}",
                screening=s,
                consent_version="2.0",
                consent_language="en",
                consent_date=today - dt.timedelta(days=50),
                consent_obtained_by=coordinator,
                randomized_on=today - dt.timedelta(days=30) if i % 2 else None,
                randomization_stratum="LSIQ_LOW" if i % 2 else "",
            )
            for i, s in enumerate(screenings)
        ]
    )
    VisitRecord.objects.bulk_create(
        [
            VisitRecord(
                participant=p,
                visit_code="baseline",
                outcome="done",
                done_on=today - dt.timedelta(days=40),
                recorded_by=coordinator,
            )
            for p in participants
        ]
    )
    TrainingSession.objects.bulk_create(
        [
            TrainingSession(
                participant=p,
                number=n,
                session_date=p.randomized_on + dt.timedelta(days=2 * n),
                attendance="attended",
                duration_minutes=50,
                template_code="mc_ilex",
                therapist=therapist,
            )
            for p in participants
            if p.randomized_on
            for n in (1, 2, 3)
        ]
    )

    # Questionnaires (some awaiting second entry, some incomplete), SDV marks and open queries:
    # the record status page reads every state for every participant.
    InstrumentResponse.objects.bulk_create(
        [
            InstrumentResponse(
                participant=p,
                visit_code="baseline",
                instrument="odi",
                completed_on=today - dt.timedelta(days=40),
                responses={"odi_1": 2},
                total=20.0,
                missing_items=["odi_10"] if i % 3 == 0 else [],
                scoring_version="test",
                entered_by=coordinator,
                verification="pending" if i % 2 else "not_required",
            )
            for i, p in enumerate(participants)
        ]
    )
    SourceVerification.objects.bulk_create(
        [
            SourceVerification(
                participant=p,
                visit_code="baseline",
                form_code="odi",
                content_sha256="0" * 64,
                verified_by=coordinator,
                verified_at=timezone.now(),
            )
            for p in participants
        ]
    )
    DataQuery.objects.bulk_create(
        [
            DataQuery(
                participant=p,
                visit_code="baseline",
                form_code="odi",
                field_name="odi_1",
                question="check",
                raised_by=coordinator,
            )
            for p in participants[::4]
        ]
    )


PAGES = [
    ("coordinator", "/home/coordinator/"),
    ("therapist", "/home/therapist/"),
    ("assessor", "/home/assessor/"),
    ("coordinator", "/participants/"),
    ("pi", "/participants/"),
    ("coordinator", "/participants/{study_id}/"),
    ("therapist", "/participants/{study_id}/"),
    ("pi", "/consort/"),
    ("coordinator", "/record-status/"),
    ("monitor", "/record-status/?state=awaiting_second_entry"),
]


def _query_counts(clients: dict, study_id: str) -> dict:
    counts = {}
    for role, path in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = clients[role].get(path.format(study_id=study_id))
        assert response.status_code == 200, (role, path)
        counts[(role, path)] = len(queries)
    return counts


def test_worklists_and_participant_page_issue_a_constant_number_of_queries(
    role_users, client_for
) -> None:
    clients = {role: client_for(role) for role in {r for r, _ in PAGES}}
    for client in clients.values():  # the first page after login saves the session once
        client.get("/")
    study_id = seeded_ids()["study_id"]
    _bulk_participants(5, role_users["coordinator"], role_users["therapist"])
    few = _query_counts(clients, study_id)
    _bulk_participants(195, role_users["coordinator"], role_users["therapist"])
    assert Participant.objects.count() >= 200
    many = _query_counts(clients, study_id)
    assert many == few


def test_pi_finds_exclusions_to_override_on_the_home_page(client_for) -> None:
    from tests.journey import assess, screen

    excluded = assess(screen(), radiculopathy=True)
    body = client_for("pi").get("/home/pi/").content.decode()
    assert excluded.screening_code in body and f"/screening/{excluded.pk}/override/" in body
    pi = client_for("pi")
    page = pi.get(f"/screening/{excluded.pk}/override/").content.decode()
    cancel = page.split('class="btn btn-link"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert pi.get(cancel).status_code in (200, 302)  # the way back opens for the PI (was 403)
    unsigned = pi.post(f"/screening/{excluded.pk}/override/", {"reason": "reviewed"})
    assert unsigned.status_code == 200  # the password (the signature) is required
    excluded.eligibility.refresh_from_db()
    assert not excluded.eligibility.may_enrol
    wrong = {"reason": "reviewed", "password": "not-it"}
    assert pi.post(f"/screening/{excluded.pk}/override/", wrong).status_code == 200
    signed = {"reason": "reviewed", "password": DEMO_PASSWORD}
    response = pi.post(f"/screening/{excluded.pk}/override/", signed)
    assert response.status_code == 302
    from trial.models import ElectronicSignature

    assert ElectronicSignature.objects.filter(
        object_type="eligibility_override", object_key=str(excluded.pk), meaning="approved"
    ).exists()
    assert pi.get(response["Location"], follow=True).status_code == 200
    excluded.eligibility.refresh_from_db()
    assert excluded.eligibility.may_enrol


def test_viewing_identifying_data_is_audited_and_hidden_from_other_roles(client_for) -> None:
    from trial.models import AuditEntry

    study_id = seeded_ids()["study_id"]
    before = AuditEntry.objects.filter(action="view_sensitive", subject=study_id).count()
    page = client_for("coordinator").get(f"/participants/{study_id}/").content.decode()
    assert 'data-testid="identity"' in page
    viewed = AuditEntry.objects.filter(action="view_sensitive", subject=study_id)
    assert viewed.count() == before + 1 and viewed.last().username == "coordinator"
    for role in ("therapist", "assessor", "monitor", "statistician"):
        body = client_for(role).get(f"/participants/{study_id}/").content.decode()
        assert 'data-testid="identity"' not in body and "example.org" not in body, role


@pytest.mark.parametrize("role", ["data_manager", "monitor"])
def test_audit_trail_hides_arm_revealing_rows_from_blinded_readers(client_for, role: str) -> None:
    client = client_for(role)
    for response in (
        client.get("/audit/"),
        client.get(f"/home/{role.replace('_', '-')}/"),
    ):
        body = response.content.decode()
        for text in [
            *ARM_TEXT,
            "free_weight_",
            "mc_ilex",
            "deadlift",
            "medx_ilex",
            "TrainingSession",
        ]:
            assert text not in body, (role, text)
    export = b"".join(client.get("/audit/", {"format": "csv"}).streaming_content).decode()
    assert "trial.Participant" in export  # the copy is not empty
    assert "TrainingSession" not in export and "AllocationSlot" not in export


def test_pi_reads_the_whole_trail(client_for) -> None:
    export = b"".join(client_for("pi").get("/audit/", {"format": "csv"}).streaming_content).decode()
    assert "trial.TrainingSession" in export and "<sealed>" in export
