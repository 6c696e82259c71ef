"""The randomise service takes its slot with explicit SQL (``randomization.allocation``): the
trail it writes must read exactly as ``AuditedModel.save`` would have written it, the database
lock must still refuse it, and the slot it returns must be the stored row."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from randomization.allocation import next_free_slots
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment
from randomization.sequence import generate
from randomization.services import randomise
from tests.journey import TODAY, enrolled, lock_waiving_everything, with_baseline
from trial.audit.context import audit_context
from trial.audit.lock import DatabaseLocked
from trial.models import AuditEntry, Participant
from trial.models.audit import AuditAction

pytestmark = pytest.mark.django_db  # SQLite (make run) and PostgreSQL alike


def _ready(role_users: dict) -> Participant:
    coordinator = role_users["coordinator"]
    return with_baseline(enrolled(coordinator), coordinator, 12, TODAY)


def _trail(model: type, pk: int, subject: str) -> list[tuple]:
    """One object's field changes, with whether they name ``subject`` (two participants' trails
    then compare)."""
    rows = AuditEntry.objects.filter(
        object_type=model._meta.label, object_id=str(pk), action=AuditAction.UPDATE
    ).order_by("field")
    return [(r.field, r.old_value, r.new_value, r.reason, r.subject == subject) for r in rows]


@pytest.fixture
def test_list(role_users: dict) -> None:
    slots = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 4, "alloc")
    import_list(to_csv(slots), "alloc", Environment.TEST, role_users["statistician"])


def test_the_trail_reads_as_the_models_own_saves_would_write_it(
    role_users: dict, test_list: None
) -> None:
    therapist = role_users["therapist"]
    fast = _ready(role_users)
    slot = randomise(fast, therapist, environment=Environment.TEST)
    fast.refresh_from_db()

    # The same allocation made through AuditedModel.save, for a second participant.
    slow = _ready(role_users)
    with transaction.atomic(), audit_context(reason="randomised at session 1"):
        [(other, _list_locked)] = next_free_slots(Environment.TEST, fast.randomization_stratum, 1)
        other.participant, other.assigned_by = slow, therapist
        other.assigned_at = slot.assigned_at
        other.save()
        slow.randomized_on = fast.randomized_on
        slow.randomization_stratum = fast.randomization_stratum
        slow.save()

    def ids_blanked(rows: list[tuple], person: Participant) -> list[tuple]:
        return [(f, o, "PK" if n == str(person.pk) else n, why, s) for f, o, n, why, s in rows]

    fast_slot = ids_blanked(_trail(AllocationSlot, slot.pk, fast.study_id), fast)
    slow_slot = ids_blanked(_trail(AllocationSlot, other.pk, slow.study_id), slow)
    assert fast_slot == slow_slot
    assert [row[0] for row in fast_slot] == ["assigned_at", "assigned_by", "participant"]
    assert _trail(Participant, fast.pk, fast.study_id) == _trail(
        Participant, slow.pk, slow.study_id
    )
    assert (
        AuditEntry.objects.filter(action=AuditAction.RANDOMISE, subject=fast.study_id).count() == 1
    )

    stored = AllocationSlot.objects.get(pk=slot.pk)
    assert (slot.participant_id, slot.assigned_at, slot.assigned_by_id, slot.arm) == (
        stored.participant_id, stored.assigned_at, stored.assigned_by_id, stored.arm
    )  # fmt: skip
    assert slot.arm in {"MC_ILEX", "FREE_WEIGHT"}  # decrypted as the ORM reads it


def test_a_locked_database_refuses_randomisation_and_allocates_nothing(
    role_users: dict, test_list: None
) -> None:
    person = _ready(role_users)
    lock_waiving_everything(role_users["data_manager"])
    with pytest.raises(DatabaseLocked):
        randomise(person, role_users["therapist"], environment=Environment.TEST)
    person.refresh_from_db()
    assert person.randomized_on is None and person.randomization_stratum == ""
    assert not AllocationSlot.objects.filter(participant=person).exists()


def test_neither_row_belongs_to_a_form_so_no_record_lock_or_signature_applies(
    role_users: dict, test_list: None
) -> None:
    """The explicit SQL skips the record-lock and signature guards because both rows sit outside
    every form; if either model gains a lock scope, this fails and the service must use them."""
    person = _ready(role_users)
    slot = randomise(person, role_users["therapist"], environment=Environment.TEST)
    assert slot.lock_scope() is None and person.lock_scope() is None


def test_randomise_reads_only_what_its_checks_need(role_users: dict, test_list: None) -> None:
    """The preconditions are the baseline ODI, MedX and DynaMo: no actigraphy is read."""
    from outcomes.models import ActigraphyRecording

    participant = _ready(role_users)
    with CaptureQueriesContext(connection) as queries:
        randomise(participant, role_users["therapist"], environment=Environment.TEST)
    table = ActigraphyRecording._meta.db_table
    assert not [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_a_list_locked_meanwhile_is_not_locked_twice(role_users: dict) -> None:
    """Two first production randomisations in the same instant both read the list as open with
    their slots; the second to lock it finds it locked and leaves its time and trail alone."""
    from randomization.batch import lock_list as _lock_list  # the step under test, twice
    from randomization.models import AllocationList

    slots = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 2, "race")
    allocation_list = import_list(
        to_csv(slots), "race", Environment.TEST, role_users["statistician"]
    )
    with audit_context(reason="first"):
        _lock_list(allocation_list.pk)
    first = AllocationList.objects.get(pk=allocation_list.pk).locked_at
    trail = AuditEntry.objects.filter(object_id=str(allocation_list.pk), field="locked_at")
    assert first is not None and trail.count() == 1
    with audit_context(reason="second"):
        _lock_list(allocation_list.pk)
    assert AllocationList.objects.get(pk=allocation_list.pk).locked_at == first
    assert trail.count() == 1
