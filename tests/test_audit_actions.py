"""The trail writes each event an auditor filters on: randomise, import, lock, unlock, sign and
unblind (trial and emergency). Each names what it concerns and never the arm."""

from __future__ import annotations

import pytest

from randomization.services import randomise
from randomization.unblinding import (
    decide_unblinding,
    request_unblinding,
    unblind_trial,
    unlock_database,
)
from tests.journey import lock_waiving_everything, signed
from trial.models import AuditEntry, Participant
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _ready_for_randomisation() -> Participant:
    return (
        Participant.objects.filter(randomized_on__isnull=True, exit__isnull=True)
        .filter(visits__visit_code=PROTOCOL.baseline_visit)
        .first()
    )


def test_each_event_is_written_once_with_its_action(role_users: dict) -> None:
    person = _ready_for_randomisation()
    assert person is not None, "the demo has someone whose baseline is done"
    before = AuditEntry.objects.count()
    randomise(person, role_users["therapist"])
    randomise(person, role_users["therapist"])  # idempotent: no second event
    person.refresh_from_db()
    mine = AuditEntry.objects.filter(action=AuditAction.RANDOMISE, subject=person.study_id)
    assert mine.count() == 1
    assert all(not row.new_value and not row.old_value for row in mine)  # no arm in it

    emergency = request_unblinding(person, role_users["coordinator"], "severe reaction")
    decide_unblinding(emergency, role_users["pi"], True, "")
    lock_waiving_everything(role_users["data_manager"])
    unlock_database(role_users["data_manager"], "query 3")
    lock_waiving_everything(role_users["data_manager"])
    unblind_trial(signed(role_users["pi"]))
    new = AuditEntry.objects.order_by("id")[before:]
    actions = [row.action for row in new if row.field == ""]
    assert actions.count(AuditAction.LOCK) == 2
    assert actions.count(AuditAction.UNLOCK) == 1
    unblinds = [row for row in new if row.action == AuditAction.UNBLIND]
    assert [row.subject for row in unblinds] == [person.study_id, ""]
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()  # the demo's imports
    signs = [row for row in new if row.action == AuditAction.SIGN]
    assert [row.object_type for row in signs] == [
        "database_lock", "database_lock", "trial_unblinding"
    ]  # fmt: skip
