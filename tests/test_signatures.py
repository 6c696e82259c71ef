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
    from outcomes.exports.services import rows
    from outcomes.exports.variables import ExportOptions

    exported = list(rows(role_users["pi"], "signatures", ExportOptions()))
    mine = [r for r in exported if r[0] == participant.study_id and r[1] == visit]
    assert mine and mine[0][4] == "reviewed and approved" and mine[0][8] == signature.content_sha256
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


def test_the_pi_signs_the_eligibility_decision_and_a_corrected_fact_unsigns_it(
    client_for, role_users
) -> None:
    odi, _visit = _signed_visit()
    participant = odi.participant
    url = f"/participants/{participant.study_id}/sign-off/"
    pi = client_for("pi")
    assert _state(pi.get(url).content.decode(), "eligibility") == "no"
    pi.post(url, {"visit": "eligibility", "password": "wrong"})
    assert _state(pi.get(url).content.decode(), "eligibility") == "no"
    pi.post(url, {"visit": "eligibility", "password": DEMO_PASSWORD})
    assert _state(pi.get(url).content.decode(), "eligibility") == "yes"
    assert ElectronicSignature.objects.filter(
        object_type="eligibility_decision", object_key=participant.study_id, meaning="approved"
    ).exists()
    assessment = participant.screening.eligibility
    assessment.scoliosis_degrees = (assessment.scoliosis_degrees or 0) + 1
    assessment.save(reason="source document re-read")
    assert _state(pi.get(url).content.decode(), "eligibility") == "no"
