"""Randomise latency on PostgreSQL at 1 and 20 simultaneous callers, beside its floor.

Each caller is its own process (forked after the database is built, so no GIL is shared) and
opens its connection before the clock starts; a barrier releases the callers of a round together.
The floor is the least a randomisation can be on this machine: a bare transaction that takes the
next slot with ``SELECT ... FOR UPDATE SKIP LOCKED``, marks it and inserts an allocation row,
through the same Django connection machinery. The row reports p50/p95 and the ratio to the floor.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable

from tests.bench.processes import percentile, timings_from_processes

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


def _randomise_call(participant_id: int) -> None:
    from randomization.services import randomise
    from trial.models import Participant, User

    therapist = User.objects.get(username="therapist")
    randomise(Participant.objects.get(pk=participant_id), therapist, environment="test")


def _caller(
    call: Callable[[int], None],
    rounds: list[int],
    barrier: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue,
) -> None:
    """One forked caller: connect, then one timed call per round, released by the barrier."""
    from django.db import connection

    connection.ensure_connection()
    timings = []
    try:
        for participant_id in rounds:
            barrier.wait()
            start = time.perf_counter()
            call(participant_id)
            timings.append(1000 * (time.perf_counter() - start))
        results.put(timings)
    except BaseException as error:  # the parent reports it: a failed call is a failed bench
        results.put(error)
        barrier.abort()
    finally:
        connection.close()


def _measure(call: Callable[[int], None], ids: list[int], callers: int) -> list[float]:
    """Run ``call`` over ``ids``: ``callers`` processes, each taking every callers-th id."""
    from django.db import connections

    connections.close_all()  # children must not share the parent's socket
    per_process = [(call, ids[index::callers]) for index in range(callers)]
    return timings_from_processes("fork", _caller, per_process)


def _row(label: str, callers: int, timings: list[float], floor: list[float]) -> str:
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    ratio = "" if timings is floor else f"{p95 / percentile(floor, 0.95):.1f}"
    return (
        f"| {label} | {len(timings)} | {callers} | {p50:.1f} | {p95:.1f} | {timings[-1]:.1f} | "
        f"{ratio} |"
    )


def rows(participant_ids: list[int], rounds: int, concurrency: int) -> list[str]:
    """Randomise ``participant_ids`` (enrolled, baseline done, one stratum): first one caller,
    then ``concurrency`` callers per round; each beside the floor at the same concurrency."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SETUP)
        cursor.execute(
            "INSERT INTO bench_floor_slot (stratum, position) "
            "SELECT 'S', g FROM generate_series(1, %s) AS g",
            [2 * len(participant_ids)],
        )
    alone = concurrency
    out = []
    for callers, ids in ((1, participant_ids[:alone]), (concurrency, participant_ids[alone:])):
        ids = ids[: callers * rounds] if callers > 1 else ids
        floor = _measure(_floor_call, ids, callers)
        measured = _measure(_randomise_call, ids, callers)
        out.append(_row("floor: SKIP LOCKED + UPDATE + INSERT", callers, floor, floor))
        out.append(_row("randomise (service, PostgreSQL)", callers, measured, floor))
    return out
