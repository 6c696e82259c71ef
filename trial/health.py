"""What the system depends on, each checked on its own: database, task broker, workers, storage.

``/health/`` used to answer ``ok`` with Redis unreachable. Each check returns "ok", "down" (or
"stale" for a worker heartbeat older than ``WORKER_STALE_AFTER``), or "in-process" where the
embedded configuration has no such service (``make run``: tasks run in the web process). Details
of a failure stay in the server log: the page is public.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)
WORKER_STALE_AFTER = dt.timedelta(minutes=3)  # beat writes a heartbeat every minute
MIN_FREE_BYTES = 1024**3


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database error means down; the reason goes to the log
        log.exception("health: database")
        return "down"
    return "ok"


def broker() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        log.exception("health: broker")
        return "down"
    return "ok"


def workers() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    from trial.models import WorkerHeartbeat

    try:
        latest = (
            WorkerHeartbeat.objects.order_by("-recorded_at")
            .values_list("recorded_at", flat=True)
            .first()
        )
    except Exception:  # the database check reports the cause
        return "down"
    if latest is None or timezone.now() - latest > WORKER_STALE_AFTER:
        return "stale"
    return "ok"


def storage() -> str:
    root = Path(settings.MEDIA_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=root, prefix=".health-").close()  # write, then remove
        if shutil.disk_usage(root).free < MIN_FREE_BYTES:
            log.error("health: less than 1 GiB free under MEDIA_ROOT")
            return "full"
    except OSError:
        log.exception("health: storage")
        return "down"
    return "ok"


def report() -> tuple[dict[str, str], str]:
    """Each dependency's state, and the overall status: "error" when the database, the broker
    or the storage is unusable (the web process cannot do its work), "degraded" when only the
    workers' heartbeat is missing (pages work; processing waits, and the watchdogs re-send),
    else "ok"."""
    checks = {"database": database(), "broker": broker(), "workers": workers(),
              "storage": storage()}  # fmt: skip
    usable = ("ok", "in-process")
    if any(checks[name] not in usable for name in ("database", "broker", "storage")):
        return checks, "error"
    return checks, "ok" if checks["workers"] in usable else "degraded"
