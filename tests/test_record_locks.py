"""Form and visit locks: the data manager locks one participant's form or visit with a reason;
the page, the services and bulk imports then refuse changes to it (423 on pages, like the
database lock) until it is unlocked with a reason."""

from __future__ import annotations

import pytest

from outcomes.instruments.services import save_instrument_response
from outcomes.models import DynamoTest, InstrumentResponse
from trial.audit.lock import RecordLocked
from trial.models import AuditEntry, RecordLock, Sociodemographics
from trial.protocol import PROTOCOL
from trial.services.record_locks import LockRefused, lock_record, unlock_record

pytestmark = pytest.mark.django_db


def _odi() -> InstrumentResponse:
    return InstrumentResponse.objects.filter(instrument="odi").order_by("pk").first()


def test_a_locked_form_refuses_every_write_path_until_unlocked(
    role_users: dict, client_for
) -> None:
    odi = _odi()
    person, visit = odi.participant, odi.visit_code
    manager = client_for("data_manager")
    url = f"/participants/{person.study_id}/locks/"
    response = manager.post(url, {"target": f"{visit}:odi", "reason": "cleaned for interim"})
    assert response.status_code == 302
    lock = RecordLock.objects.get(participant=person, form_code="odi", unlocked_at__isnull=True)
    assert f'data-lock="{visit}:odi"' in manager.get(url).content.decode()

    answers = dict(odi.responses)
    with pytest.raises(RecordLocked, match="locked by the data manager"):
        save_instrument_response(person, visit, "odi", answers, odi.completed_on,
                                 role_users["assessor"], reason="late", confirmed=True)  # fmt: skip
    page = client_for("assessor").post(
        f"/participants/{person.study_id}/visits/{visit}/instruments/odi/",
        {**{k: "" if v is None else v for k, v in answers.items()},
         "completed_on": odi.completed_on.isoformat(), "reason": "late correction"},
    )  # fmt: skip
    assert page.status_code == 423
    # Another form of the same visit is not locked.
    other = (
        InstrumentResponse.objects.filter(participant=person, visit_code=visit)
        .exclude(instrument__in=["odi", "lsiq"])
        .first()
    )
    other.completed_on = other.completed_on
    other.save(reason="no change")

    with pytest.raises(LockRefused, match="Say why"):
        unlock_record(role_users["data_manager"], lock, " ")
    unlock_record(role_users["data_manager"], lock, "query 7 needs a correction")
    assessor = role_users["assessor"]
    saved = save_instrument_response(
        person, visit, "odi", answers, odi.completed_on, assessor, reason="q7", confirmed=True
    )
    assert saved.pk == odi.pk
    trail = AuditEntry.objects.filter(object_type="trial.RecordLock", object_id=str(lock.pk))
    assert trail.filter(reason="unlocked: query 7 needs a correction").exists()


def test_a_whole_visit_lock_holds_crfs_and_imports(role_users: dict) -> None:
    dynamo = DynamoTest.objects.filter(visit_code=PROTOCOL.baseline_visit).order_by("pk").first()
    person, visit = dynamo.participant, dynamo.visit_code
    lock_record(role_users["data_manager"], person, visit, "", "visit cleaned")
    copy = DynamoTest.objects.get(pk=dynamo.pk)
    copy.pk = None
    with pytest.raises(RecordLocked):
        DynamoTest.objects.bulk_create([copy])  # the import path
    social = Sociodemographics.objects.get(participant=person)
    with pytest.raises(RecordLocked, match="sociodemographics at baseline is locked"):
        social.save(reason="edit")


def test_only_the_data_manager_locks(role_users: dict, client_for) -> None:
    odi = _odi()
    with pytest.raises(LockRefused, match="Only the data manager"):
        lock_record(role_users["coordinator"], odi.participant, odi.visit_code, "odi", "x")
    with pytest.raises(LockRefused, match="has no form"):
        lock_record(role_users["data_manager"], odi.participant, odi.visit_code, "nope", "x")
    assert client_for("coordinator").get(
        f"/participants/{odi.participant.study_id}/locks/").status_code == 403  # fmt: skip
