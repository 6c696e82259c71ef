"""Randomise latency on PostgreSQL at 1 and 20 simultaneous callers, beside its floor.

Each caller is its own process (forked after the database is built, so no GIL is shared) and
opens its connection and loads what a view would have in hand (the user, the participant) before
the clock starts; a barrier releases the callers of a round together. Before the timed rounds,
each caller makes one untimed call alone (the callers take turns), as a long-lived server worker
has made many: what a process and its database backend pay once (imports, key loading, the
backend's catalog caches for every table the call touches) is not a randomisation's cost.
The randomise call runs as a request does: the audit seal waits until the answer is out (after
the response is sent); latency is measured to the answer, the CPU column includes the seal.
The floor is the least a randomisation can be on this machine: a bare transaction that takes the
next slot with ``SELECT ... FOR UPDATE SKIP LOCKED``, marks it and inserts an allocation row,
through the same Django connection machinery. The row reports p50/p95, the ratio to the floor,
and the CPU one call costs: the caller's own (``time.process_time``) and its PostgreSQL
backend's (``/proc/<pid>/schedstat``, when the server runs on this machine). Callers on ``n``
cores cannot finish a round faster than callers x CPU per call / n: that, not lock waits,
bounds p95 here.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.bench.processes import outcomes_from_processes, percentile

FLOOR_SETUP = """
CREATE TABLE IF NOT EXISTS bench_floor_slot (
    id serial PRIMARY KEY, stratum text NOT NULL, position int NOT NULL, participant int NULL);
CREATE TABLE IF NOT EXISTS bench_floor_allocation (
    id serial PRIMARY KEY, slot_id int NOT NULL, participant int NOT NULL,
    at timestamptz NOT NULL DEFAULT now());
"""


def _floor_call(participant_id: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM bench_floor_slot WHERE stratum = %s AND participant IS NULL "
            "ORDER BY position LIMIT 1 FOR UPDATE SKIP LOCKED",
            ["S"],
        )
        (slot_id,) = cursor.fetchone()
        cursor.execute(
            "UPDATE bench_floor_slot SET participant = %s WHERE id = %s", [participant_id, slot_id]
        )
        cursor.execute(
            "INSERT INTO bench_floor_allocation (slot_id, participant) VALUES (%s, %s)",
            [slot_id, participant_id],
        )


def _randomise_call(participant: object, therapist: object) -> Callable[[], None]:
    """The service as a request runs it: the audit seal waits until the answer is out
    (``trial.audit.middleware.SealAfterResponseMiddleware``); returned to run after the clock
    stops (its CPU is still counted)."""
    from randomization.services import randomise
    from trial.audit.sequencer import seal_deferred

    with seal_deferred() as deferred:
        randomise(participant, therapist, environment="test")
    return deferred.run


def _randomise_inputs(participant_id: int) -> tuple[object, object]:
    """What a randomise view has before it calls the service: its user (from the session) and
    the participant (from the URL). Loaded before the clock starts, as the floor's are given."""
    from trial.models import Participant, User

    return Participant.objects.get(pk=participant_id), User.objects.get(username="therapist")


@dataclass(frozen=True)
class Calls:
    """What one caller measured: each call's latency, and the CPU all its calls used."""

    timings: list[float]
    client_cpu_ms: float
    server_cpu_ms: float | None  # None: the database's process is not readable here


def _backend_cpu_ms(pid: int) -> float | None:
    """CPU time of a local PostgreSQL backend so far (``/proc/<pid>/schedstat``: nanoseconds
    on a CPU, exact, where ``stat`` counts whole clock ticks); None when not readable."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
    except OSError:
        return None


@dataclass(frozen=True)
class Call:
    """What is timed (``run``, which may return work left for after its answer: untimed, its
    CPU counted), and what its caller has in hand before (``inputs``)."""

    run: Callable[..., Callable[[], None] | None]
    inputs: Callable[[int], tuple]


FLOOR = Call(_floor_call, lambda participant_id: (participant_id,))
RANDOMISE = Call(_randomise_call, _randomise_inputs)


def _caller(
    call: Call,
    ids: list[int],
    one_at_a_time: multiprocessing.synchronize.Lock,
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue,
) -> None:
    """One forked caller: connect, make the untimed warm-up call (``ids[0]``) alone, then one
    timed call per round, released by the barrier; the CPU counted is the calls' own (between
    the clock's start and stop)."""
    from django.db import connection

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    timings: list[float] = []
    client = 0.0
    server: float | None = 0.0  # None once the backend's CPU cannot be read
    warm_up, *rounds = ids
    try:
        with one_at_a_time:
            after_answer = call.run(*call.inputs(warm_up))
            if after_answer is not None:
                after_answer()
        for participant_id in rounds:
            inputs = call.inputs(participant_id)
            barrier.wait()
            server_before, client_before = _backend_cpu_ms(backend), time.process_time()
            start = time.perf_counter()
            after_answer = call.run(*inputs)
            timings.append(1000 * (time.perf_counter() - start))
            if after_answer is not None:
                after_answer()
            client += 1000 * (time.process_time() - client_before)
            server_after = _backend_cpu_ms(backend)
            if server is not None and None not in (server_before, server_after):
                server += server_after - server_before  # type: ignore[operator]
            else:
                server = None
        results.put(Calls(timings, client, server))
    except BaseException as error:  # the parent reports it: a failed call is a failed bench
        results.put(error)
        barrier.abort()
    finally:
        connection.close()


@dataclass(frozen=True)
class Measured:
    timings: list[float]  # sorted
    cpu: str  # "client + server ms per call"


def _measure(call: Call, ids: list[int], callers: int) -> Measured:
    """Run ``call`` over ``ids``: ``callers`` processes, each taking every callers-th id (its
    first for the warm-up)."""
    from django.db import connections

    connections.close_all()  # children must not share the parent's socket
    one_at_a_time = multiprocessing.get_context("fork").Lock()
    per_process = [(call, ids[index::callers], one_at_a_time) for index in range(callers)]
    outcomes: list[Calls] = outcomes_from_processes("fork", _caller, per_process)  # type: ignore[assignment]
    timings = sorted(t for calls in outcomes for t in calls.timings)
    client = sum(calls.client_cpu_ms for calls in outcomes) / len(timings)
    servers = [calls.server_cpu_ms for calls in outcomes]
    server = "n/a" if None in servers else f"{sum(servers) / len(timings):.1f}"  # type: ignore[arg-type]
    return Measured(timings, f"{client:.1f} + {server}")


def _row(label: str, callers: int, measured: Measured, floor: Measured) -> str:
    timings = measured.timings
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    ratio = "" if measured is floor else f"{p95 / percentile(floor.timings, 0.95):.1f}"
    return (
        f"| {label} | {len(timings)} | {callers} | {p50:.1f} | {p95:.1f} | {timings[-1]:.1f} | "
        f"{ratio} | {measured.cpu} |"
    )


def participants_needed(rounds: int, concurrency: int) -> int:
    """One caller's warm-up and ``concurrency`` calls, then each of ``concurrency`` callers'
    warm-up and ``rounds`` calls."""
    return 1 + concurrency + concurrency * (1 + rounds)


def rows(participant_ids: list[int], rounds: int, concurrency: int) -> list[str]:
    """Randomise ``participant_ids`` (enrolled, baseline done, one stratum; see
    ``participants_needed``): first one caller, then ``concurrency`` callers per round; each
    beside the floor at the same concurrency."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SETUP)
        cursor.execute(
            "INSERT INTO bench_floor_slot (stratum, position) "
            "SELECT 'S', g FROM generate_series(1, %s) AS g",
            [2 * len(participant_ids)],
        )
    alone = 1 + concurrency
    crowd = participant_ids[alone : alone + concurrency * (1 + rounds)]
    out = []
    for callers, ids in ((1, participant_ids[:alone]), (concurrency, crowd)):
        floor = _measure(FLOOR, ids, callers)
        measured = _measure(RANDOMISE, ids, callers)
        out.append(_row("floor: SKIP LOCKED + UPDATE + INSERT", callers, floor, floor))
        out.append(_row("randomise (service, PostgreSQL)", callers, measured, floor))
    return out
