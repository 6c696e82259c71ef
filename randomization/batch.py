"""Allocating every pending randomisation request in one transaction, under one lock.

This is flat combining: each caller records its request (``RandomisationRequest``); the first
to take the randomiser's lock allocates every request pending at that moment with a fixed number
of statements (participants locked and read together, readiness in bulk, a stratum's slots in
one ``SKIP LOCKED`` read, all slots and participants updated in one set-based statement each,
one trail insert), and the callers waiting on the lock's shared side are let go together when it
commits and find their outcome written (``randomization.services._decided``). On two cores,
twenty simultaneous randomisations cost a few batches instead of twenty transactions of a dozen
statements each.

On SQLite the IMMEDIATE transaction is the lock. The lock is the transaction's own (released at
commit or rollback, never left held by a caller that failed).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import asdict

from django.db.models import QuerySet
from django.utils import timezone

from randomization.allocation import Allocation, assign, next_free_slots
from randomization.models import (
    AllocationList,
    AllocationSlot,
    Environment,
    RandomisationRequest,
)
from randomization.queue import Outcome, finish_write
from randomization.readiness import (
    Candidate,
    Refusal,
    answer,
    candidates,
    candidates_from,
    candidates_query,
)
from trial.audit.chain import ChainTail
from trial.audit.context import AuditContext, audit_context
from trial.audit.recorder import trail_writes
from trial.audit.tail import tail_from, take_statements
from trial.compiled_query import CompiledQuery, Values
from trial.models import Participant
from trial.one_message import Result, Statement, Write, run_together, write_then_read

log = logging.getLogger(__name__)

# A request not allocated within this time (its caller gave up or died) is refused, not
# allocated later to nobody's knowledge.
REQUEST_TIMEOUT = dt.timedelta(seconds=60)
BATCH = 200
ROUNDS = 3  # rounds of late arrivals one transaction decides before letting its waiters go
REASON = "randomised at session 1"


def allocate_pending(only: int | None = None) -> dict[int, Outcome]:
    """Under the randomiser's lock, inside a transaction: decide every pending request (or only
    request ``only``), in request order, and write each outcome on its request. Returns the
    outcomes by request id (the slots as stored).

    Requests recorded while a round is being decided join the same transaction in a further
    round (up to ``ROUNDS``): their callers are already waiting for this lock, and deciding them
    here spares each of them a second wait and the next caller a transaction and a seal of its
    own. A round's writes travel in one message with the next round's reads (which see them:
    decided requests are no longer pending)."""
    if only is not None:
        requests = _requests(_REQUEST_PENDING.rows(ids=[only]))
        found = candidates([r.participant_id for r in requests], lock=True)
        tail = tail_from(run_together(take_statements()))
        decided, writes = _allocate_requests(requests, found, tail)
        write_then_read(writes)
        return decided
    outcomes: dict[int, Outcome] = {}
    # The chain's lock (``trial.audit.tail``) is taken after the first requests' participants
    # are locked: waiting for one of them (a coordinator's edit not yet committed) does not hold
    # up the sequencer.
    first = run_together([*_pending_reads(), *take_statements()])
    requests, found = _pending(first[:2])
    tail = tail_from(first[2:])
    for round_ in range(ROUNDS):
        requests = requests[: BATCH - len(outcomes)]
        if not requests:  # none pending: no late arrivals, or decided by the previous holder
            break
        decided, writes = _allocate_requests(requests, found, tail)
        outcomes.update(decided)
        last = round_ + 1 == ROUNDS or len(outcomes) >= BATCH
        read = write_then_read(writes, [] if last else _pending_reads())
        requests, found = ([], {}) if last else _pending(read)
    return outcomes


# The batch's reads, compiled once per connection (``trial.compiled_query``): on two busy cores,
# building these ORM queries cost the deciding caller more CPU than running them.
_REQUEST_FIELDS = [f.attname for f in RandomisationRequest._meta.concrete_fields]


def _pending_requests() -> QuerySet:
    return RandomisationRequest.objects.filter(done_at__isnull=True).order_by("id")


_PENDING = CompiledQuery(lambda: _pending_requests().values_list(*_REQUEST_FIELDS)[:BATCH])
_REQUEST_PENDING = CompiledQuery(
    lambda: _pending_requests().filter(pk__any_of=Values("ids")).values_list(*_REQUEST_FIELDS)
)
# Their participants, locked, read in the same message by a statement of its own: it sees the
# requests committed since the first (every statement reads what is committed when it starts),
# so, over every pending request (no limit: a request with a lower id committed in between must
# not push one of the first statement's out), it holds every participant the first statement's
# requests need, and perhaps a few more.
_PENDING_CANDIDATES = CompiledQuery(
    lambda: candidates_query(lock=True, among=_pending_requests().values("participant_id"))
)


def _pending_reads() -> list[Statement]:
    return [_PENDING.statement(), _PENDING_CANDIDATES.statement()]


def _pending(read: list[Result]) -> tuple[list[RandomisationRequest], dict[int, Candidate]]:
    pending, people = read
    return _requests(pending.rows), candidates_from(people.rows)


def _requests(rows: list[tuple]) -> list[RandomisationRequest]:
    return [RandomisationRequest.from_db("default", _REQUEST_FIELDS, row) for row in rows]


def _allocate_requests(
    requests: list[RandomisationRequest], found: dict[int, Candidate], tail: ChainTail
) -> tuple[dict[int, Outcome], list[Write]]:
    """Decide ``requests`` (their participants locked in ``found``): the outcomes, and the
    writes that store them (the slots, the trail sealed after ``tail``, each request's
    outcome)."""
    if not requests:
        return {}, []
    now = timezone.now()
    late = [r for r in requests if now - r.requested_at > REQUEST_TIMEOUT]
    outcomes: dict[int, Outcome] = {
        r.pk: Refusal(
            "RandomisationError",
            ("The randomisation took too long; nothing was allocated. Try again.",),
        )
        for r in late
    }
    timely = [r for r in requests if r.pk not in outcomes]
    writes: list[Write] = []
    if timely:
        decided, writes = _decide(timely, found, tail)
        outcomes.update(decided)
    writes.append(finish_write([(r.pk, outcomes[r.pk]) for r in requests], now))
    return outcomes, writes


def _decide(
    requests: list[RandomisationRequest], found: dict[int, Candidate], tail: ChainTail
) -> tuple[dict[int, Outcome], list[Write]]:
    """Each request's slot or refusal (a participant asked for twice gets one allocation), and
    the writes that store the slots."""
    people = {pid: candidate.participant for pid, candidate in found.items()}
    randomised = [pk for pk, p in people.items() if p.randomized_on is not None]
    given: dict[int, Outcome] = {}
    if randomised:  # set with the slot, in the same transaction: calling again returns it
        given = {
            s.participant_id: s
            for s in AllocationSlot.objects.filter(participant_id__in=randomised)
        }
    first: dict[int, RandomisationRequest] = {}
    wanted: dict[tuple[str, str], list[RandomisationRequest]] = defaultdict(list)
    for request in requests:
        pid = request.participant_id
        if pid in given or pid in first:
            continue
        first[pid] = request
        decided = answer(found[pid])
        if isinstance(decided, Refusal):
            given[pid] = decided
        else:
            wanted[(request.environment, decided)].append(request)
    writes: list[Write] = []
    if wanted:
        locked = any(candidate.database_locked for candidate in found.values())
        allocated, writes = _allocate(wanted, people, locked, tail)
        given.update(allocated)
    return {r.pk: given[r.participant_id] for r in requests}, writes


def _allocate(
    wanted: dict[tuple[str, str], list[RandomisationRequest]],
    people: dict[int, Participant],
    database_locked: bool,
    tail: ChainTail,
) -> tuple[dict[int, Outcome], list[Write]]:
    """The next free slots of each (environment, stratum), in request order, per participant
    (none while the data manager has locked the database), and the writes that take them."""
    everyone = [r for requests in wanted.values() for r in requests]
    if database_locked:
        return {r.participant_id: Refusal("DatabaseLocked", ()) for r in everyone}, []
    outcomes: dict[int, Outcome] = {}
    allocations: list[Allocation] = []
    contexts: list[AuditContext] = []
    lists_locked: set[int] = set()
    for (environment, stratum), requests in wanted.items():
        free = next_free_slots(environment, stratum, len(requests))
        if len(free) < len(requests):
            unserved = [people[r.participant_id] for r in requests[len(free) :]]
            outcomes.update(_no_slot(unserved, environment, stratum))
        for request, (slot, list_locked) in zip(requests, free, strict=False):
            context = AuditContext(**json.loads(request.context))
            first_use = not list_locked and slot.allocation_list_id not in lists_locked
            if environment == Environment.PRODUCTION and first_use:
                lists_locked.add(slot.allocation_list_id)
                with audit_context(**asdict(context)):  # locked by the first one to use it
                    lock_list(slot.allocation_list_id)
            person = people[request.participant_id]
            allocations.append(
                Allocation(slot, person, stratum, request.requested_by_id, request.randomised_on)
            )
            contexts.append(context)
    if not allocations:
        return outcomes, []
    taken, writes = assign(allocations)
    for slot, _events in taken:
        outcomes[slot.participant_id] = slot
    writes += trail_writes(
        [(context, events) for context, (_slot, events) in zip(contexts, taken, strict=True)],
        reason=REASON,
        tail=tail,
    )
    return outcomes, writes


def _no_slot(people: list[Participant], environment: str, stratum: str) -> dict[int, Refusal]:
    """The refusal for participants left without a slot: no list at all, or none left."""
    if not AllocationList.objects.filter(environment=environment).exists():
        refusal = Refusal(
            "NoAllocationList", (f"No {environment} allocation list has been imported.",)
        )
        return {person.pk: refusal for person in people}
    # The stratum stays in the server log: therapists read this message, and the stratum
    # would tell them the participant's questionnaire result.
    refusals = {}
    for person in people:
        log.error("randomise %s: no %s slot left in stratum %s", person.pk, environment, stratum)
        refusals[person.pk] = Refusal(
            "StratumExhausted",
            (
                f"{person.study_id} cannot be randomised: the allocation list has no slot left "
                "for this participant. Nothing was allocated; ask the data manager to have the "
                "statistician extend the list.",
            ),
        )
    return refusals


def lock_list(list_id: int) -> None:
    """The first production randomisation locks its list: from then on it is only extended,
    with a reason (audited). The list row is locked and read again, so of two first
    randomisations in the same instant only one locks it (and writes the trail)."""
    allocation_list = AllocationList.objects.select_for_update().get(pk=list_id)
    if allocation_list.locked_at is not None:
        return
    allocation_list.locked_at = timezone.now()
    allocation_list.save(reason="production randomisation started: list locked")
