"""Point this process's Celery producer at another broker for a while (down or back up)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from strongback.celery import app

UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers Redis there


def _reset_pools() -> None:
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Send tasks to ``url`` (not run in-process) inside the block; restore everything after."""
    keys = ("broker_url", "task_always_eager")
    # Values set on app.conf shadow Django's settings for good: remember what was set there
    # and take ours away afterwards, so later tests read their settings again.
    shadowed = {key: app.conf.changes[key] for key in keys if key in app.conf.changes}
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_pools()
    try:
        yield
    finally:
        for key in keys:
            app.conf.changes.pop(key, None)
        app.conf.changes.update(shadowed)
        _reset_pools()
