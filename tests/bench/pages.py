"""Page benchmark: the record status page and the coordinator's home (grouped worklist) for the
trial's 106 participants and for 1,000 (copies of a fully measured one, as the export bench
makes them): SQL queries (constant by design) and server time of one rendering, as a signed-in
user's browser would ask for it."""

from __future__ import annotations

import time

from tests.bench.exports import TRIAL_SIZE, _grow_to

PAGES = (
    ("record status", "datamanager", "/record-status/"),
    ("record status, filtered to one state", "monitor", "/record-status/?state=complete"),
    ("coordinator home (worklist)", "coordinator", "/home/coordinator/"),
)


def _render(client: object, path: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        wall = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        wall = time.perf_counter() - wall
    assert response.status_code == 200, (path, response.status_code)
    return wall, len(queries)


def rows() -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    out = []
    try:
        from strongback.demo.seed import seed_demo
        from trial.models import Participant, User

        seed_demo(participants=12, password="bench-password-not-secret")
        clients = {}
        for _label, username, _path in PAGES:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        for total in (TRIAL_SIZE, 1_000):
            _grow_to(total)
            n = Participant.objects.count()
            for label, username, path in PAGES:
                _render(clients[username], path)  # warm caches (templates, URL resolver)
                wall, queries = _render(clients[username], path)
                out.append(f"| {label} | {n} participants | {queries} SQL queries | "
                           f"{1000 * wall:.0f} ms |")  # fmt: skip
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    return out
