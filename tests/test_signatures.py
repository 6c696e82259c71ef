"""Electronic signatures: signing needs the password again (wrong ones refused and throttled), the
signature manifests on the participant page, and a change to signed data voids it and puts the
visit back on the PI's worklist."""

from __future__ import annotations

import pytest

from outcomes.instruments.services import save_instrument_response
from outcomes.models import InstrumentResponse
from tests.conftest import DEMO_PASSWORD
from trial.models import AuditEntry, ElectronicSignature, VisitRecord
from trial.models.audit import AuditAction

pytestmark = pytest.mark.django_db


def _signed_visit() -> tuple[object, str]:
    """A participant whose visit is done and has an entered ODI."""
    done = set(
        VisitRecord.objects.filter(outcome="done").values_list("participant_id", "visit_code")
    )
    for odi in InstrumentResponse.objects.filter(instrument="odi").order_by("pk"):
        if (odi.participant_id, odi.visit_code) in done:
            return odi, odi.visit_code
    pytest.fail("the demo needs a done visit with an ODI")


def _state(page: str, visit: str) -> str:
    marker = f'data-visit="{visit}" data-signed="'
    assert marker in page
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_signing_needs_the_password_and_change_voids_it(client_for, role_users) -> None:
    odi, visit = _signed_visit()
    participant = odi.participant
    url = f"/participants/{participant.study_id}/sign-off/"
    pi = client_for("pi")
    assert _state(pi.get(url).content.decode(), visit) == "no"
    home = pi.get("/home/pi/").content.decode()
    assert 'data-kind="sign_off"' in home and participant.study_id in home

    wrong = pi.post(url, {"visit": visit, "password": "not-my-password"}, follow=True)
    assert "is not right. Nothing was signed." in wrong.content.decode()
    assert not ElectronicSignature.objects.filter(participant=participant).exists()

    pi.post(url, {"visit": visit, "password": DEMO_PASSWORD})
    signature = ElectronicSignature.objects.get(participant=participant, visit_code=visit)
    assert signature.signer == role_users["pi"] and signature.meaning == "approved"
    assert len(signature.content_sha256) == 64
    assert _state(pi.get(url).content.decode(), visit) == "yes"
    detail = pi.get(f"/participants/{participant.study_id}/").content.decode()
    assert 'data-testid="signature"' in detail and "reviewed and approved" in detail
    assert AuditEntry.objects.filter(
        action=AuditAction.SIGN, object_id=f"{participant.study_id}:{visit}"
    ).exists()

    answers = dict(odi.responses)
    first = sorted(answers)[0]
    answers[first] = 5 - int(answers[first]) if answers[first] is not None else 1
    save_instrument_response(participant, visit, "odi", answers, odi.completed_on,
                             role_users["assessor"], reason="transcription error",
                             confirmed=True)  # fmt: skip
    signature.refresh_from_db()
    assert signature.voided_at is not None and "odi changed after signing" in signature.void_reason
    assert _state(pi.get(url).content.decode(), visit) == "no"
    home = pi.get("/home/pi/").content.decode()
    row = home.split('data-kind="sign_off"')
    assert any(participant.study_id in part.split("</tr>")[0] for part in row[1:])


def test_wrong_passwords_lock_the_signer_out(client_for, settings) -> None:
    odi, visit = _signed_visit()
    url = f"/participants/{odi.participant.study_id}/sign-off/"
    pi = client_for("pi")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        pi.post(url, {"visit": visit, "password": "guess"})
    page = pi.post(url, {"visit": visit, "password": DEMO_PASSWORD}, follow=True)
    assert not ElectronicSignature.objects.filter(participant=odi.participant).exists()
    assert page.status_code in (200, 403)


@pytest.mark.parametrize("role", ["coordinator", "assessor", "data_manager", "monitor"])
def test_only_the_pi_signs_visits(client_for, role: str) -> None:
    odi, _visit = _signed_visit()
    url = f"/participants/{odi.participant.study_id}/sign-off/"
    assert client_for(role).get(url).status_code == 403


def test_the_pi_signs_a_serious_adverse_event_review(client_for, role_users) -> None:
    from trial.models import AdverseEvent

    event = AdverseEvent.objects.order_by("pk").first()
    assert event is not None, "the demo records an adverse event"
    event.serious, event.pi_reviewed_at = True, None
    event.save(reason="test: made serious")
    pi = client_for("pi")
    home = pi.get("/home/pi/").content.decode()
    assert f'action="/adverse-events/{event.pk}/acknowledge/"' in home or "Sign as reviewed" in home
    url = next(
        part.split('"', 1)[0]
        for part in home.split('action="')[1:]
        if f"/{event.pk}/" in part.split('"', 1)[0] and "ack" in part.split('"', 1)[0]
    )
    pi.post(url, {"password": "wrong"})
    event.refresh_from_db()
    assert event.pi_reviewed_at is None
    pi.post(url, {"password": DEMO_PASSWORD})
    event.refresh_from_db()
    assert event.pi_reviewed_at is not None
    assert ElectronicSignature.objects.filter(
        object_type="serious_event_review", object_key=str(event.pk), meaning="reviewed"
    ).exists()
