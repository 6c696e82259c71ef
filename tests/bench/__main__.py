"""``make bench``: randomise latency under concurrent requests on PostgreSQL, and the speed of
the pure scoring library per instrument.

Builds a throw-away test database (Django's test-database machinery, so nothing real is touched),
enrols participants through the real services, then fires rounds of 20 simultaneous randomise
calls (threads released by a barrier, each with its own connection) and reports the median and
95th percentile of the per-call latency. Writes ``var/bench/results.md`` and prints it.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongback.settings.test")
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
OUT = Path(__file__).resolve().parents[2] / "var" / "bench" / "results.md"


def _round(people: list, therapist: object) -> list[float]:
    from django.db import connections

    from randomization.services import randomise

    barrier = threading.Barrier(len(people))
    latencies: list[float] = []
    errors: list[BaseException] = []

    def run(person: object) -> None:
        try:
            barrier.wait()
            start = time.perf_counter()
            randomise(person, therapist, environment="test")
            latencies.append(time.perf_counter() - start)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"randomise failed under load: {errors[0]!r}")
    return latencies


def _scoring_rows(calls: int = 5000) -> list[str]:
    """Pure scoring speed per instrument: random valid answers drawn from each definition."""
    import random

    from outcomes.instruments import DEFINITIONS, score

    rng = random.Random(0)
    rows = []
    for name, definition in DEFINITIONS.items():
        answers = [
            {
                item.key: rng.choice(sorted(item.allowed)) if rng.random() > 0.05 else None
                for item in definition.items
            }
            for _ in range(calls)
        ]
        timings = []
        wall = time.perf_counter()
        for one in answers:
            start = time.perf_counter()
            score(name, one)
            timings.append(1000 * (time.perf_counter() - start))
        wall = time.perf_counter() - wall
        timings.sort()
        rows.append(
            f"| score {name} (pure Python) | {calls} | 1 | {statistics.median(timings):.3f} | "
            f"{timings[round(0.95 * calls) - 1]:.3f} | {timings[-1]:.3f} | {calls / wall:.0f} |"
        )
    return rows


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        print("make bench needs DATABASE_URL=postgres://... (the lock behaviour is PostgreSQL's)")
        return 2
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from randomization.importing import import_list
        from randomization.listfile import to_csv
        from randomization.sequence import generate
        from strongback.demo.seed import seed_demo
        from tests.journey import TODAY, enrolled, with_baseline
        from trial.models import User

        seed_demo(participants=1, password="bench-password-not-secret")
        statistician = User.objects.get(username="statistician")
        coordinator = User.objects.get(username="coordinator")
        therapist = User.objects.get(username="therapist")
        per_stratum = CONCURRENCY * ROUNDS
        rows = generate(
            ["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2, 4, 6], per_stratum, "bench"
        )
        import_list(to_csv(rows), "bench", "test", statistician)
        people = [
            with_baseline(enrolled(coordinator), coordinator, 12, TODAY) for _ in range(per_stratum)
        ]
        latencies: list[float] = []
        wall = time.perf_counter()
        for index in range(ROUNDS):
            latencies += _round(people[index * CONCURRENCY : (index + 1) * CONCURRENCY], therapist)
        wall = time.perf_counter() - wall
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    ms = sorted(1000 * value for value in latencies)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    table = "\n".join(
        [
            "| benchmark | calls | concurrency | median ms | p95 ms | max ms | throughput /s |",
            "|---|---|---|---|---|---|---|",
            f"| randomise (PostgreSQL, one stratum) | {len(ms)} | {CONCURRENCY} | "
            f"{statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} | {len(ms) / wall:.0f} |",
            *_scoring_rows(),
        ]
    )
    from tests.bench.cwa import rows as cwa_rows

    table += "\n\n| actigraphy | samples | size / memory | time |\n|---|---|---|---|\n"
    table += "\n".join(cwa_rows())
    from tests.bench.imaging import rows as imaging_rows

    table += "\n\n| imaging stage | input | memory | time |\n|---|---|---|---|\n"
    table += "\n".join(imaging_rows())
    from tests.bench.segmentation import rows as segmentation_rows

    table += "\n\n| segmentation | input | time | speed / Dice | volume |\n|---|---|---|---|---|\n"
    table += "\n".join(segmentation_rows())
    from tests.bench.exports import rows as export_rows

    table += "\n\n| export | size | output | memory | time |\n|---|---|---|---|---|\n"
    table += "\n".join(export_rows())
    from tests.bench.pages import rows as page_rows

    table += "\n\n| page | size | queries | server time |\n|---|---|---|---|\n"
    table += "\n".join(page_rows())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
