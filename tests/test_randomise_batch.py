"""Randomisations are decided in batches (``randomization.batch``): each caller records a request
and whoever holds the randomiser's lock decides every pending one. These tests leave a request
pending, as a caller still queued for the lock would, and check what the next caller's batch
does with it: the right trail for each requester, one allocation per participant, refusals
raised in the asking caller's own language, stale requests refused, and a batch that fails
costing nobody but its own caller."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from randomization import batch, queue, readiness
from randomization.exceptions import PreconditionsMissing, RandomisationError
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment, RandomisationRequest
from randomization.readiness import Refusal
from randomization.sequence import generate
from randomization.services import randomise
from tests.journey import TODAY, baseline_done_without_forms, enrolled, with_baseline
from trial.audit.context import AuditContext
from trial.models import AuditEntry, Participant
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL

pytestmark = pytest.mark.django_db  # SQLite (make run) and PostgreSQL alike


@pytest.fixture
def test_list(role_users: dict) -> None:
    slots = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2], 6, "batch")
    import_list(to_csv(slots), "batch", Environment.TEST, role_users["statistician"])


def _ready(role_users: dict) -> Participant:
    coordinator = role_users["coordinator"]
    return with_baseline(enrolled(coordinator), coordinator, 12, TODAY)


def _pending(participant: Participant, user: object, ip: str = "10.0.0.7") -> int:
    """A request recorded by a caller on another workstation, still waiting for the lock."""
    context = AuditContext(user.pk, user.username, "Therapist", "web", ip, "Firefox", "")
    return queue.record(participant.pk, user.pk, Environment.TEST, TODAY, context)


def test_the_next_caller_decides_a_pending_request_with_its_requesters_trail(
    role_users: dict, test_list: None
) -> None:
    therapist = role_users["therapist"]
    waiting, asking = _ready(role_users), _ready(role_users)
    request_id = _pending(waiting, therapist, ip="10.0.0.7")

    randomise(asking, therapist, environment=Environment.TEST)

    decided = queue.outcome(request_id)
    assert isinstance(decided, AllocationSlot) and decided.participant_id == waiting.pk
    waiting.refresh_from_db()
    assert waiting.randomized_on == TODAY
    event = AuditEntry.objects.get(action=AuditAction.RANDOMISE, subject=waiting.study_id)
    assert (event.ip, event.user_agent, event.channel) == ("10.0.0.7", "Firefox", "web")
    assert event.reason == "randomised at session 1"
    other = AuditEntry.objects.get(action=AuditAction.RANDOMISE, subject=asking.study_id)
    assert other.ip != "10.0.0.7"  # each request's own context, not the deciding caller's


def test_a_participant_asked_for_twice_in_one_batch_gets_one_slot(
    role_users: dict, test_list: None
) -> None:
    therapist = role_users["therapist"]
    person = _ready(role_users)
    first = _pending(person, therapist)

    slot = randomise(person, therapist, environment=Environment.TEST)

    assert queue.outcome(first).pk == slot.pk
    assert AllocationSlot.objects.filter(participant=person).count() == 1
    assert (
        AuditEntry.objects.filter(action=AuditAction.RANDOMISE, subject=person.study_id).count()
        == 1
    )


def test_a_refusal_is_raised_in_the_asking_callers_language(
    role_users: dict, test_list: None
) -> None:
    """The request stores the missing forms, not their labels: the batch may be decided under
    another caller's language."""
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    person = baseline_done_without_forms(enrolled(coordinator), coordinator)
    request_id = _pending(person, therapist)
    with translation.override("en"):
        batch.allocate_pending()
    label = next(p.label for p in PROTOCOL.randomisation_preconditions if p.form == "medx")
    with translation.override("fr"):
        french = str(label)
        error = queue.outcome(request_id).error()  # type: ignore[union-attr]
    with translation.override("en"):
        assert str(label) != french  # else the test could not tell the languages apart
    assert isinstance(error, PreconditionsMissing)
    assert french in str(error) and person.study_id in str(error)


def test_a_request_left_too_long_is_refused_not_allocated(
    role_users: dict, test_list: None
) -> None:
    """A caller that gave up or died must not have its participant randomised later, to
    nobody's knowledge."""
    therapist = role_users["therapist"]
    stale, fresh = _ready(role_users), _ready(role_users)
    request_id = _pending(stale, therapist)
    old = timezone.now() - batch.REQUEST_TIMEOUT - dt.timedelta(seconds=1)
    RandomisationRequest.objects.filter(pk=request_id).update(requested_at=old)

    randomise(fresh, therapist, environment=Environment.TEST)

    decided = queue.outcome(request_id)
    assert isinstance(decided, Refusal)
    assert isinstance(decided.error(), RandomisationError) and "nothing was allocated" in str(
        decided.error()
    )
    stale.refresh_from_db()
    assert stale.randomized_on is None
    assert not AllocationSlot.objects.filter(participant=stale).exists()


def test_a_batch_that_fails_costs_only_the_request_that_broke_it(
    role_users: dict, test_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error deciding someone else's request rolls the batch back; the caller's
    own request is then decided alone, and the other stays pending for its own caller."""
    therapist = role_users["therapist"]
    broken, asking = _ready(role_users), _ready(role_users)
    broken_request = _pending(broken, therapist)
    real_candidates_from = readiness.candidates_from

    def failing_for_broken(rows: list[tuple]) -> dict:
        found = real_candidates_from(rows)
        if broken.pk in found:
            raise RuntimeError("injected: this participant's data cannot be read")
        return found

    # Where a batch reads its participants, and where a request decided alone does.
    monkeypatch.setattr(batch, "candidates_from", failing_for_broken)
    monkeypatch.setattr(readiness, "candidates_from", failing_for_broken)
    slot = randomise(asking, therapist, environment=Environment.TEST)

    assert slot.participant_id == asking.pk
    assert queue.outcome(broken_request) is None  # still pending: nothing of the batch stayed
    broken.refresh_from_db()
    assert broken.randomized_on is None
    with pytest.raises(RuntimeError, match="injected"):
        randomise(broken, therapist, environment=Environment.TEST)
    assert not AllocationSlot.objects.filter(participant=broken).exists()


def test_a_caller_whose_request_did_not_fit_in_the_batch_leads_the_next(
    role_users: dict, test_list: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    therapist = role_users["therapist"]
    earlier, asking = _ready(role_users), _ready(role_users)
    earlier_request = _pending(earlier, therapist)
    monkeypatch.setattr(batch, "BATCH", 1)  # the earlier request fills the first batch

    slot = randomise(asking, therapist, environment=Environment.TEST)

    assert slot is not None and slot.participant_id == asking.pk
    assert queue.outcome(earlier_request).participant_id == earlier.pk  # type: ignore[union-attr]


def test_a_request_marked_decided_without_an_outcome_is_an_error_not_no_slot(
    role_users: dict, test_list: None
) -> None:
    request_id = _pending(_ready(role_users), role_users["therapist"])
    RandomisationRequest.objects.filter(pk=request_id).update(done_at=timezone.now())
    with pytest.raises(RuntimeError, match="decided with no outcome"):
        queue.outcome(request_id)


@pytest.mark.parametrize("rounds, late_decided", [(3, True), (1, False)])
def test_a_request_recorded_while_a_round_is_decided_joins_the_same_transaction(
    role_users: dict,
    test_list: None,
    monkeypatch: pytest.MonkeyPatch,
    rounds: int,
    late_decided: bool,
) -> None:
    """Its caller is already waiting for the lock: a further round decides it before the
    commit lets the waiters go (with one round allowed, it is left for its own caller)."""
    therapist = role_users["therapist"]
    first, late = _ready(role_users), _ready(role_users)
    first_request = _pending(first, therapist)
    recorded: list[int] = []
    real_allocate = batch._allocate_requests

    def a_caller_records_meanwhile(*decide: object) -> tuple:
        if not recorded:
            recorded.append(_pending(late, therapist))
        return real_allocate(*decide)

    monkeypatch.setattr(batch, "_allocate_requests", a_caller_records_meanwhile)
    monkeypatch.setattr(batch, "ROUNDS", rounds)
    outcomes = batch.allocate_pending()

    assert isinstance(outcomes[first_request], AllocationSlot)
    assert (recorded[0] in outcomes) is late_decided
    late.refresh_from_db()
    assert (late.randomized_on is not None) is late_decided
    assert (queue.outcome(recorded[0]) is not None) is late_decided


def test_an_outcome_that_cannot_be_written_fails_the_batch_not_silently(
    role_users: dict, test_list: None
) -> None:
    """Every request of a batch is read under the lock; an outcome written to no row means the
    batch is wrong, and it must roll back rather than leave a caller without an answer."""
    request_id = _pending(_ready(role_users), role_users["therapist"])
    slotless = Refusal("RandomisationError", ("test",))
    with pytest.raises(RuntimeError, match="outcomes: 1 of 2 rows written"):
        queue.finish([(request_id, slotless), (10**9, slotless)], timezone.now())
