"""Point this process's Celery producer at another broker for a while (down or back up)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from trial.celery import app

UNREACHABLE = "redis://127.0.0.1:9/0"  # the discard port: nothing answers Redis there


def _reset_pools() -> None:
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Send tasks to ``url`` (not run in-process) inside the block; restore everything after."""
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    _reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old_url, old_eager
        _reset_pools()
