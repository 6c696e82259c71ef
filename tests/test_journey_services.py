"""The participant journey through its services: eligibility, enrolment, baseline, LSIQ freeze,
visit windows, sessions, exits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from outcomes.instruments import lsiq
from outcomes.instruments.services import save_instrument_response
from randomization.exceptions import BaselineIncomplete
from randomization.selectors import arm_for_service
from randomization.services import randomise
from tests.journey import (
    DOB,
    TODAY,
    assess,
    baseline_done_without_forms,
    enrolled,
    ensure_list,
    not_entered,
    screen,
    with_baseline,
)
from trial.audit.context import audit_context, context_for_user
from trial.audit.exceptions import ReasonRequired
from trial.exceptions import (
    DatesOutOfOrder,
    NotEligible,
    OutOfWindow,
    OverrideRefused,
    SessionRefused,
)
from trial.models import AuditEntry, Participant, ParticipantIdentity, StudyIdCounter
from trial.models.screening import ScreeningOutcome
from trial.services.eligibility import override_eligibility
from trial.services.enrolment import Consent, Identity, enrol
from trial.services.sessions import ExerciseDone, log_session
from trial.services.visits import record_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(role_users: dict) -> dict:
    ensure_list(role_users["statistician"])
    return role_users


def test_evaluation_stores_coded_failed_criteria_and_the_screening_outcome(users) -> None:
    screening = assess(screen(), radiculopathy=True, pddm_nervous_system="A")
    assert screening.outcome == ScreeningOutcome.NOT_ELIGIBLE
    assert screening.eligibility.failed_criteria == ["pddm_nociceptive", "radiculopathy"]
    eligible = assess(screen())
    assert eligible.outcome == ScreeningOutcome.ELIGIBLE and eligible.eligibility.eligible


def test_age_from_the_stated_age_when_no_date_of_birth(users) -> None:
    for age, outcome in (
        (17, "not_eligible"),
        (18, "eligible"),
        (60, "eligible"),
        (61, "not_eligible"),
    ):
        screening = assess(screen(age=age), date_of_birth=None)
        assert screening.outcome == outcome, age


def test_language_other_than_english_or_french_fails(users) -> None:
    assert assess(screen(language="other")).eligibility.failed_criteria == ["language"]


def test_enrolment_refused_while_a_criterion_fails_and_nothing_is_saved(users) -> None:
    screening = assess(screen(), mri_pacemaker=True)
    before = Participant.objects.count()
    with pytest.raises(NotEligible, match="MRI contraindication"):
        enrol(screening, Consent("2.0", "en", TODAY), Identity("A", "B", DOB), users["coordinator"])
    assert Participant.objects.count() == before
    assert not ParticipantIdentity.objects.filter(participant__screening=screening).exists()


def test_pi_override_needs_the_pi_and_a_reason_and_is_audited(users) -> None:
    screening = assess(screen(), scoliosis_degrees=Decimal("12"))
    with pytest.raises(OverrideRefused):
        override_eligibility(screening, users["coordinator"], "I think it is fine")
    with pytest.raises(OverrideRefused):
        override_eligibility(screening, users["pi"], "   ")
    with audit_context(**context_for_user(users["pi"], channel="web")):
        override_eligibility(screening, users["pi"], "Cobb angle re-measured at 10.5 by radiology")
    participant = enrol(
        screening, Consent("2.0", "fr", TODAY), Identity("A", "B", DOB), users["coordinator"]
    )
    assert participant.study_id.startswith("SB-")
    trail = AuditEntry.objects.filter(
        object_type="trial.EligibilityAssessment",
        object_id=str(screening.eligibility.pk),
        field="override_reason",
        action="update",
    )
    assert trail.get().reason.startswith("eligibility override: Cobb angle")
    assert trail.get().username == users["pi"].username


def test_identity_is_encrypted_at_rest_and_in_the_audit_trail(users) -> None:
    participant = enrolled(users["coordinator"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_name, date_of_birth FROM trial_participantidentity "
            "WHERE participant_id = %s",
            [participant.pk],
        )
        last_name, dob = cursor.fetchone()
    assert "Lavoie" not in last_name and "1980" not in dob
    assert ParticipantIdentity.objects.get(participant=participant).last_name == "Lavoie"
    rows = AuditEntry.objects.filter(
        object_type="trial.ParticipantIdentity",
        object_id=str(participant.identity.pk),
        field="last_name",
    )
    assert rows.get().new_value.startswith("fernet:") and "Lavoie" not in rows.get().new_value


def test_study_ids_are_sequential_and_never_handed_out_twice(users) -> None:
    first = enrolled(users["coordinator"])
    second = enrolled(users["coordinator"])
    assert int(second.study_id[3:]) == int(first.study_id[3:]) + 1
    counter = StudyIdCounter.objects.get(name="participant")
    assert counter.last_value == int(second.study_id[3:])


def test_enrolling_the_same_screening_twice_is_refused(users) -> None:
    participant = enrolled(users["coordinator"])
    from trial.exceptions import AlreadyEnrolled

    with pytest.raises(AlreadyEnrolled):
        enrol(
            participant.screening,
            Consent("2.0", "en", TODAY),
            Identity("A", "B", DOB),
            users["coordinator"],
        )


@pytest.mark.parametrize(("yes", "stratum"), [(8, "LSIQ_LOW"), (9, "LSIQ_HIGH"), (10, "LSIQ_HIGH")])
def test_lsiq_sets_the_stratum_used_at_randomisation(users, yes: int, stratum: str) -> None:
    participant = with_baseline(enrolled(users["coordinator"]), users["coordinator"], yes, TODAY)
    slot = randomise(participant, users["therapist"], on=TODAY + dt.timedelta(days=5))
    participant.refresh_from_db()
    assert slot.stratum == stratum == participant.randomization_stratum


def test_randomise_refuses_without_baseline_and_hides_the_questionnaire_name(users) -> None:
    participant = baseline_done_without_forms(enrolled(users["coordinator"]), users["coordinator"])
    with pytest.raises(BaselineIncomplete) as refusal:
        randomise(participant, users["therapist"])
    assert "lsiq" not in str(refusal.value).lower()


def test_lsiq_frozen_after_randomisation_flags_mis_stratification(users) -> None:
    participant = with_baseline(enrolled(users["coordinator"]), users["coordinator"], 10, TODAY)
    randomise(participant, users["therapist"], on=TODAY + dt.timedelta(days=5))
    corrected = {item: int(i < 3) for i, item in enumerate(lsiq.ITEMS)}
    with pytest.raises(ReasonRequired):
        save_instrument_response(
            participant, "baseline", "lsiq", corrected, TODAY, users["coordinator"]
        )
    save_instrument_response(
        participant,
        "baseline",
        "lsiq",
        corrected,
        TODAY,
        users["coordinator"],
        reason="transcription error on items 4-10",
    )
    participant.refresh_from_db()
    assert participant.mis_stratified and participant.randomization_stratum == "LSIQ_HIGH"
    changed = AuditEntry.objects.filter(
        object_type="outcomes.InstrumentResponse", field="responses.lsiq_04"
    )
    assert changed.last().old_value == "1" and changed.last().new_value == "0"


def test_lsiq_correction_within_the_same_stratum_does_not_flag(users) -> None:
    participant = with_baseline(enrolled(users["coordinator"]), users["coordinator"], 12, TODAY)
    randomise(participant, users["therapist"], on=TODAY + dt.timedelta(days=5))
    answers = {item: int(i < 11) for i, item in enumerate(lsiq.ITEMS)}
    save_instrument_response(
        participant,
        "baseline",
        "lsiq",
        answers,
        TODAY,
        users["coordinator"],
        reason="item 12 misread",
    )
    participant.refresh_from_db()
    assert not participant.mis_stratified


@pytest.mark.parametrize(
    ("day", "inside"), [(104, False), (105, True), (112, True), (126, True), (127, False)]
)
def test_week16_window_edges_and_out_of_window_reason(users, day: int, inside: bool) -> None:
    participant = with_baseline(enrolled(users["coordinator"]), users["coordinator"], 5, TODAY)
    session_1 = TODAY + dt.timedelta(days=5)
    randomise(participant, users["therapist"], on=session_1)
    participant.refresh_from_db()
    on = session_1 + dt.timedelta(days=day)
    if not inside:
        with pytest.raises(OutOfWindow, match="outside the Week-16 assessment window"):
            record_visit(
                participant,
                "week16",
                users["assessor"],
                done_on=on,
                forms_not_done=not_entered("week16"),
            )
        record = record_visit(
            participant,
            "week16",
            users["assessor"],
            done_on=on,
            out_of_window_reason="participant travelling",
            forms_not_done=not_entered("week16"),
        )
        assert record.out_of_window and record.out_of_window_reason == "participant travelling"
    else:
        assert not record_visit(
            participant,
            "week16",
            users["assessor"],
            done_on=on,
            forms_not_done=not_entered("week16"),
        ).out_of_window


def test_baseline_window_counts_from_consent(users) -> None:
    participant = enrolled(users["coordinator"], consent_on=TODAY)
    assert not record_visit(
        participant,
        "baseline",
        users["coordinator"],
        done_on=TODAY + dt.timedelta(days=28),
        forms_not_done=not_entered("baseline"),
    ).out_of_window
    with pytest.raises(OutOfWindow):
        record_visit(
            participant,
            "baseline",
            users["coordinator"],
            done_on=TODAY + dt.timedelta(days=29),
            change_reason="x",
        )
    # Before consent is not "out of window": no reason makes it possible.
    with pytest.raises(DatesOutOfOrder, match="would precede the consent"):
        record_visit(
            participant,
            "baseline",
            users["coordinator"],
            done_on=TODAY - dt.timedelta(days=1),
            out_of_window_reason="entered late",
            change_reason="x",
        )


def test_sessions_follow_the_arm_template_and_adherence(users) -> None:
    participant = with_baseline(enrolled(users["coordinator"]), users["coordinator"], 5, TODAY)
    randomise(participant, users["therapist"], on=TODAY)
    participant.refresh_from_db()
    arm = arm_for_service(participant.pk)
    from trial.protocol import PROTOCOL
    from trial.selectors.anchors import session_summaries

    for number in (1, 2, 3, 4):
        template = PROTOCOL.sessions.template_for(arm, number)
        code = template.exercises[-1].code
        session = log_session(
            participant,
            number,
            users["therapist"],
            session_date=TODAY + dt.timedelta(days=PROTOCOL.sessions.planned_day(number)),
            attendance="attended" if number != 3 else "missed",
            missed_reason="" if number != 3 else "illness",
            duration_minutes=55 if number != 3 else None,
            exercises=[ExerciseDone(code, 3, 10, Decimal("40"), 7)] if number != 3 else [],
        )
        assert session.template_code == template.code
    summary = session_summaries([participant.pk])[participant.pk]
    assert (summary.attended, summary.logged, summary.adherence) == (3, 4, 3 / 48)
    with pytest.raises(SessionRefused, match="reason"):
        log_session(participant, 5, users["therapist"], session_date=TODAY, attendance="missed")
    with pytest.raises(SessionRefused, match="not an exercise"):
        log_session(
            participant,
            5,
            users["therapist"],
            session_date=TODAY + dt.timedelta(days=7),
            attendance="attended",
            duration_minutes=50,
            exercises=[ExerciseDone("not_in_protocol", 3, 10)],
        )
