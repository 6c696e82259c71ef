"""Export benchmark: long and wide CSV for the trial's 106 participants with all their data, and
for 10,000 synthetic participants (copies of a fully measured one, inserted without the audit
trail: a throw-away database). Time, rows, bytes and the Python heap peak (tracemalloc) of each;
the peak must not grow with participants because exports read them in batches of 200 (so it is
flat from 1,000 participants on; the trial itself fits in one batch)."""

from __future__ import annotations

import time
import tracemalloc
from collections import deque

TRIAL_SIZE = 106
SYNTHETIC = 10_000


def _clone(obj: object, **overrides: object) -> object:
    data = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields  # type: ignore[attr-defined]
        if not f.primary_key
    }
    data.update(overrides)
    return type(obj)(**data)


def _grow_to(total: int) -> None:
    """Copies of the most complete participant until there are ``total`` participants."""
    from outcomes.models import InstrumentResponse
    from trial.models import Participant, ScreeningEntry
    from trial.models.baseline import Sociodemographics

    template = max(Participant.objects.all(), key=lambda p: p.instrument_responses.count())
    responses = list(template.instrument_responses.all())
    socio = Sociodemographics.objects.filter(participant=template).first()
    have = Participant.objects.count()
    for start in range(have, total, 1000):
        count = min(1000, total - start)
        entries = ScreeningEntry._base_manager.bulk_create(
            [_clone(template.screening) for _ in range(count)]
        )
        people = Participant._base_manager.bulk_create([
            _clone(template, study_id=f"SYN-{start + i:05d}", screening_id=entry.pk)
            for i, entry in enumerate(entries)
        ])  # fmt: skip
        InstrumentResponse._base_manager.bulk_create(
            [_clone(r, participant_id=p.pk) for p in people for r in responses], batch_size=5000
        )
        if socio is not None:
            Sociodemographics._base_manager.bulk_create(
                [_clone(socio, participant_id=p.pk) for p in people]
            )


def _export(user: object, dataset: str) -> tuple[float, float, int, int]:
    """(seconds, heap peak MB, rows, bytes) of one de-identified export through the service."""
    from outcomes.exports.services import csv_bytes, start
    from outcomes.exports.variables import ExportOptions

    wall = time.perf_counter()
    size = sum(len(c) for c in csv_bytes(start(user, dataset, ExportOptions())))
    wall = time.perf_counter() - wall
    tracemalloc.start()
    export = start(user, dataset, ExportOptions())
    deque(csv_bytes(export), maxlen=0)  # consume the stream, keeping no chunk
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    export.refresh_from_db()
    return wall, peak / 1024**2, export.rows, size


def rows() -> list[str]:
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    out = []
    try:
        from strongback.demo.seed import seed_demo
        from trial.models import Participant, User

        seed_demo(participants=12, password="bench-password-not-secret")
        manager = User.objects.get(username="datamanager")
        for total in (TRIAL_SIZE, 1_000, SYNTHETIC):
            _grow_to(total)
            n = Participant.objects.count()
            for dataset in ("long", "wide"):
                wall, peak, count, size = _export(manager, dataset)
                out.append(f"| export {dataset} (de-identified) | {n} participants | "
                           f"{count} rows, {size / 1024**2:.1f} MB | heap peak {peak:.1f} MB | "
                           f"{wall:.2f} s |")  # fmt: skip
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    return out
