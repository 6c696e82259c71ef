"""Page benchmark: what each worklist, the participant page and list, the dashboard and the
record status page cost the server, for the trial's 106 participants and for 1,000 (copies of a
fully measured one, as the export bench makes them).

Two measures per page. In-process: SQL queries and server CPU (``time.process_time`` of one
rendering through Django's test client, the database's own time excluded). Over HTTP: gunicorn
(2 workers, the test settings) serves the throw-away database, and a closed-loop load generator,
one process per client on keep-alive connections, asks for the page as a signed-in user; p50/p99
latency at 1 and 16 clients, and the gunicorn workers' CPU per request read from /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.exports import TRIAL_SIZE, _grow_to
from tests.bench.processes import percentile, timings_from_processes

PAGES = (
    ("coordinator home (worklist)", "coordinator", "/home/coordinator/"),
    ("therapist home (worklist)", "therapist", "/home/therapist/"),
    ("assessor home (worklist)", "assessor", "/home/assessor/"),
    ("PI home (worklist)", "pi", "/home/pi/"),
    ("data manager home", "datamanager", "/home/data-manager/"),
    ("monitor home", "monitor", "/home/monitor/"),
    ("participant list", "coordinator", "/participants/"),
    ("participant page", "coordinator", "/participants/{study_id}/"),
    ("dashboard (blinded)", "assessor", "/dashboard/"),
    ("record status", "datamanager", "/record-status/"),
)
HTTP_REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "12"))  # per client and page


def _render(client: object, path: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu = time.process_time()
        response = client.get(path)  # type: ignore[attr-defined]
        cpu = time.process_time() - cpu
    assert response.status_code == 200, (path, response.status_code)
    return cpu, len(queries)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()]


def _client(url: str, cookie: str, count: int, barrier: object, out: object) -> None:
    import httpx

    timings = []
    with httpx.Client(cookies={"sessionid": cookie}, timeout=60) as http:
        http.get(url)  # warm this connection
        barrier.wait()  # type: ignore[attr-defined]
        for _ in range(count):
            start = time.perf_counter()
            response = http.get(url)
            timings.append(1000 * (time.perf_counter() - start))
            if response.status_code != 200:
                out.put(RuntimeError(f"{url}: HTTP {response.status_code}"))  # type: ignore[attr-defined]
                return
    out.put(timings)  # type: ignore[attr-defined]


def _load(url: str, cookie: str, clients: int) -> list[float]:
    per_process = [(url, cookie, HTTP_REQUESTS)] * clients
    return timings_from_processes("spawn", _client, per_process)


def _serve(database_name: str) -> tuple[subprocess.Popen, str]:
    from django.conf import settings

    port = _free_port()
    url = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "strongback.settings.test",
        "DATABASE_URL": f"postgres://{url['USER']}@{url['HOST']}:{url['PORT']}/{database_name}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "strongback.wsgi", "-w", "2", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(300):
        try:
            httpx.get(f"{base}/health/", timeout=2)
            return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _warm(base: str, cookies: dict, study_id: str) -> None:
    """Every page a few times on fresh connections, so both gunicorn workers have imported
    their modules and filled their per-process caches before anything is timed."""
    import httpx

    for _label, username, path in PAGES:
        for _ in range(4):
            httpx.get(base + path.format(study_id=study_id),
                      cookies={"sessionid": cookies[username]}, timeout=60)  # fmt: skip


def _http_rows(base: str, server: subprocess.Popen, cookies: dict, study_id: str) -> list[str]:
    _warm(base, cookies, study_id)
    out = []
    for label, username, path in PAGES:
        url = base + path.format(study_id=study_id)
        row = [label]
        for clients in (1, 16):
            workers = _workers(server.pid)
            cpu = _cpu_seconds(workers)
            timings = _load(url, cookies[username], clients)
            cpu = _cpu_seconds(workers) - cpu
            per_request = 1000 * cpu / (clients * (HTTP_REQUESTS + 1))
            row.append(
                f"{statistics.median(timings):.0f} / {percentile(timings, 0.99):.0f} ms "
                f"({per_request:.0f} ms CPU)"
            )
        out.append(f"| {label} | {TRIAL_SIZE} participants, gunicorn 2 workers | "
                   f"1 client: {row[1]} | 16 clients: {row[2]} |")  # fmt: skip
    return out


def rows() -> list[str]:
    from django.contrib.auth import SESSION_KEY
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False)
    out = []
    try:
        from strongback.demo.seed import seed_demo
        from trial.models import Participant, User

        seed_demo(participants=12, password="bench-password-not-secret")
        study_id = Participant.objects.order_by("study_id").first().study_id
        clients, cookies = {}, {}
        for _label, username, _path in PAGES:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
            cookies[username] = client.cookies["sessionid"].value
            assert client.session[SESSION_KEY]
        for total in (TRIAL_SIZE, 1_000):
            _grow_to(total)
            n = Participant.objects.count()
            for label, username, path in PAGES:
                url = path.format(study_id=study_id)
                _render(clients[username], url)  # warm (templates, URL resolver, kept journeys)
                cpu = min(_render(clients[username], url)[0] for _ in range(3))
                queries = _render(clients[username], url)[1]
                out.append(f"| {label} | {n} participants, in process | {queries} SQL queries | "
                           f"{1000 * cpu:.0f} ms server CPU |")  # fmt: skip
            if total == TRIAL_SIZE:
                server, base = _serve(connection.settings_dict["NAME"])
                try:
                    out += _http_rows(base, server, cookies, study_id)
                finally:
                    server.send_signal(signal.SIGTERM)
                    server.wait(timeout=60)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    return out
