"""``make bench``: speed and memory figures, one table per section (randomise latency beside
its floor, scoring, actigraphy, imaging, segmentation, exports, pages).

Each section that needs the database builds a throw-away test database (Django's test-database
machinery, so nothing real is touched). ``BENCH_ONLY=randomise,pages`` runs only those sections.
Writes ``var/bench/results.md`` and prints it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongback.settings.test")
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
OUT = Path(__file__).resolve().parents[2] / "var" / "bench" / "results.md"


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


def _randomise_rows() -> list[str]:
    """Enrol participants through the real services in a throw-away database, then time the
    randomise service beside its floor (see tests.bench.randomise)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    try:
        from randomization.importing import import_list
        from randomization.listfile import to_csv
        from randomization.sequence import generate
        from strongback.demo.seed import seed_demo
        from tests.bench.randomise import participants_needed, rows
        from tests.journey import TODAY, enrolled, with_baseline
        from trial.models import User

        seed_demo(participants=1, password="bench-password-not-secret")
        statistician = User.objects.get(username="statistician")
        coordinator = User.objects.get(username="coordinator")
        needed = participants_needed(ROUNDS, CONCURRENCY)
        slots = generate(
            ["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2, 4, 6], needed, "bench"
        )
        import_list(to_csv(slots), "bench", "test", statistician)
        people = [
            with_baseline(enrolled(coordinator), coordinator, 12, TODAY) for _ in range(needed)
        ]
        return rows([p.pk for p in people], ROUNDS, CONCURRENCY)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def _section(name: str) -> tuple[str, list[str]]:
    """One table of the results: its header and its rows."""
    import importlib

    if name == "randomise":
        return (
            "| randomise | calls | callers (processes) | p50 ms | p95 ms | max ms | p95 / floor "
            "| CPU ms per call: caller + database |",
            _randomise_rows(),
        )
    if name == "scoring":
        return (
            "| scoring | calls | concurrency | median ms | p95 ms | max ms | throughput /s |",
            _scoring_rows(),
        )
    header = SECTIONS[name]
    return header, importlib.import_module(f"tests.bench.{name}").rows()


SECTIONS = {
    "randomise": "",
    "scoring": "",
    "cwa": "| actigraphy | samples | size / memory | time |",
    "imaging": "| imaging stage | input | memory | time |",
    "segmentation": "| segmentation | input | time | speed / Dice | volume |",
    "exports": "| export | size | output | memory | time |",
    "pages": "| page | participants, measured | SQL queries / 1 client: p50 / p99 (gunicorn CPU "
    "per request) | server CPU / 16 clients: p50 / p99 (CPU per request) |",
}


def main() -> int:
    """All sections, or those named in BENCH_ONLY (comma-separated: randomise,pages,...)."""
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("make bench needs DATABASE_URL=postgres://... (the lock behaviour is PostgreSQL's)")
        return 2
    wanted = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n] or list(SECTIONS)
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        print(f"BENCH_ONLY names unknown sections {sorted(unknown)}; known: {list(SECTIONS)}")
        return 2
    tables = []
    for name in wanted:
        header, rows = _section(name)
        separator = "|" + "---|" * (header.count("|") - 1)
        tables.append("\n".join([header, separator, *rows]))
    table = "\n\n".join(tables)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
