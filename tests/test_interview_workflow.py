"""Interview workflow: invitation rules, audio consent, the visit windows, the pilot, guide
versions, counts on the CONSORT page and homes, and the speech-to-text draft."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from interviews.models import AudioConsent, InvitationAnswer, Timepoint, TranscriptOrigin
from interviews.services.interviews import (
    PILOT_INTERVIEWS,
    add_guide_version,
    current_guide,
    record_interview,
)
from interviews.services.invitations import (
    InvitationRefused,
    invite,
    record_answer,
    record_audio_consent,
)
from interviews.services.recordings import store_recording
from interviews.tasks import draft_transcript
from tests.interview_helpers import SESSION_1, espeak_wav, pre_interview
from tests.journey import TODAY, enrolled
from trial.exceptions import OutOfWindow
from trial.models import VisitRecord
from trial.protocol import PROTOCOL


def _accepted(users: dict, invited_on: dt.date):
    coordinator = users["coordinator"]
    participant = enrolled(coordinator, consent_on=TODAY - dt.timedelta(days=20))
    participant.session_1_planned_on = SESSION_1
    participant.save(reason="test: session 1 planned")
    invitation = invite(participant, Timepoint.PRE, coordinator, invited_on)
    return record_answer(invitation, InvitationAnswer.ACCEPTED, invited_on)


def _hold(invitation, users: dict, on: dt.date, reason: str = ""):
    researcher = users["qualitative_researcher"]
    guide = current_guide(invitation.timepoint) or add_guide_version(
        invitation.timepoint, "t1", "Q?", "", researcher
    )
    return record_interview(
        invitation,
        researcher,
        guide=guide,
        mode="in_person",
        interviewer=researcher,
        started_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9))),
        duration_minutes=40,
        out_of_window_reason=reason,
    )


@pytest.mark.django_db
def test_pre_interview_six_days_before_session_1_needs_a_reason(role_users) -> None:
    invitation = _accepted(role_users, TODAY - dt.timedelta(days=9))
    six_days_before = SESSION_1 - dt.timedelta(days=6)
    with pytest.raises(OutOfWindow, match="outside the Pre-intervention interview window"):
        _hold(invitation, role_users, six_days_before)
    assert not VisitRecord.objects.filter(participant=invitation.participant).exists()
    interview = _hold(invitation, role_users, six_days_before, reason="participant travelling")
    assert interview.visit.out_of_window and interview.visit.out_of_window_reason
    inside = _accepted(role_users, TODAY - dt.timedelta(days=9))
    assert not _hold(inside, role_users, SESSION_1 - dt.timedelta(days=5)).visit.out_of_window


def test_post_interview_window_is_day_0_to_7_after_the_final_session() -> None:
    post = PROTOCOL.visit(Timepoint.POST)
    final = dt.date(2026, 9, 14)
    assert post.in_window(final, final + dt.timedelta(days=7))
    assert not post.in_window(final, final + dt.timedelta(days=8))


@pytest.mark.django_db
def test_invitation_rules(role_users) -> None:
    coordinator = role_users["coordinator"]
    participant = enrolled(coordinator, consent_on=TODAY - dt.timedelta(days=20))
    with pytest.raises(InvitationRefused, match="has not started the programme"):
        invite(participant, Timepoint.POST, coordinator, TODAY)
    with pytest.raises(InvitationRefused, match="after consenting"):
        invite(participant, Timepoint.PRE, coordinator, TODAY - dt.timedelta(days=30))
    invitation = invite(participant, Timepoint.PRE, coordinator, TODAY)
    participant.refresh_from_db()
    assert participant.invited_pre_interview  # the optional visit is now expected
    with pytest.raises(InvitationRefused, match="already invited"):
        invite(participant, Timepoint.PRE, coordinator, TODAY)
    with pytest.raises(InvitationRefused, match="cannot precede the invitation"):
        record_answer(invitation, InvitationAnswer.ACCEPTED, TODAY - dt.timedelta(days=1))
    with pytest.raises(InvitationRefused, match="form version and the date"):
        record_audio_consent(
            invitation, AudioConsent.GIVEN, version="", signed_on=TODAY, obtained_by=coordinator
        )
    with pytest.raises(InvitationRefused, match="acceptance before the interview"):
        _hold(invitation, role_users, TODAY)


@pytest.mark.django_db
def test_first_three_interviews_of_a_guide_are_the_pilot_and_versions_say_why(role_users) -> None:
    researcher = role_users["qualitative_researcher"]
    from interviews.models import Interview

    existing = Interview.objects.filter(invitation__timepoint=Timepoint.PRE).count()
    pilots = [pre_interview(role_users).pilot for _ in range(PILOT_INTERVIEWS + 1 - existing)]
    assert pilots == [True] * (PILOT_INTERVIEWS - existing) + [False]
    with pytest.raises(InvitationRefused, match="what changed"):
        add_guide_version(Timepoint.PRE, "2.0", "New questions", "", researcher)
    guide = add_guide_version(Timepoint.PRE, "2.0", "New Q", "Pilot: Q3 was unclear", researcher)
    assert current_guide(Timepoint.PRE) == guide


@pytest.mark.django_db
def test_counts_reach_the_consort_page_and_the_homes(role_users, client_for) -> None:
    interview = pre_interview(role_users)
    assert interview.pk
    for role, url in (("monitor", "/consort/"), ("coordinator", "/home/coordinator/"),
                      ("assessor", "/dashboard/"),
                      ("qualitative_researcher", "/home/qualitative-researcher/")):  # fmt: skip
        html = client_for(role).get(url).content.decode()
        assert 'data-testid="interview-counts"' in html, (role, url)
    from interviews.selectors import invitation_counts

    pre = {row.timepoint: row for row in invitation_counts()}[Timepoint.PRE]
    assert pre.invited >= pre.accepted >= pre.interviewed >= 1


@pytest.mark.django_db
def test_a_wav_recording_gets_a_speech_to_text_draft(role_users, tmp_path) -> None:
    interview = pre_interview(role_users)
    words = "My back pain is much better since I started the exercise program."
    wav = espeak_wav(tmp_path, words).read_bytes()
    researcher = role_users["qualitative_researcher"]
    recording = store_recording(interview, io.BytesIO(wav), "i.wav", len(wav), researcher)
    transcript_id = draft_transcript(recording.pk)
    draft = interview.transcripts.get(pk=transcript_id)
    assert draft.origin == TranscriptOrigin.SPEECH_TO_TEXT and draft.version == 1
    recognised = set(draft.text.lower().split())
    assert len(recognised) >= 3  # a draft to correct, not a verbatim transcript


def test_interview_timepoints_are_the_protocols_optional_visits() -> None:
    """The interviews app names the protocol's two optional visits; a renamed visit fails here."""
    assert set(Timepoint.values) == set(PROTOCOL.optional_visits())


@pytest.mark.django_db
def test_post_interview_is_open_to_those_who_stopped_and_closed_to_the_withdrawn(
    role_users,
) -> None:
    from trial.models import Participant, StudyExit
    from trial.models.participant import DataUse, ExitKind, ExitReason

    coordinator = role_users["coordinator"]
    stopped = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    exit_on = timezone.localdate()
    StudyExit(participant=stopped, kind=ExitKind.DISCONTINUED_INTERVENTION, exit_on=exit_on,
              reason=ExitReason.ADVERSE_EVENT, data_use=DataUse.ALL,
              recorded_by=coordinator).save()  # fmt: skip
    assert invite(stopped, Timepoint.POST, coordinator, exit_on).pk
    withdrawn = enrolled(coordinator, consent_on=TODAY - dt.timedelta(days=20))
    StudyExit(participant=withdrawn, kind=ExitKind.WITHDRAWN, exit_on=exit_on,
              reason=ExitReason.ADVERSE_EVENT, data_use=DataUse.ALL,
              recorded_by=coordinator).save()  # fmt: skip
    with pytest.raises(InvitationRefused, match="withdrew from the trial"):
        invite(withdrawn, Timepoint.PRE, coordinator, exit_on)
