"""Handing a task to the broker without letting a broker outage lose or break anything.

The row that asks for the work (a study, a recording) is saved first and is itself the record
that work is owed; sending the message is a second, fallible step. When the broker is unreachable
the caller's page still succeeds, the row keeps saying "waiting for the processing service", and a
watchdog sends again later. Only broker and connection errors are caught.

Without a broker (the embedded mode of ``make run``) tasks run in this process. With
``EMBEDDED_TASKS_IN_BACKGROUND`` (the demo's setting) they run one at a time on a background
thread, so an upload answers at once and its page shows the progress, as with a worker; a task
that fails there is logged, and the task itself records the failure on its row (a study or a
recording says "failed" with the reason). Otherwise (tests) they run in the caller and a failure
raises there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)


_background: ThreadPoolExecutor | None = None


def _in_background(apply: Callable[[], object], what: str) -> None:
    try:
        apply()
    except Exception:
        log.exception("%s failed in the background", what)
    finally:
        connections.close_all()  # this thread's own connections


def run_in_background(apply: Callable[[], object], what: str) -> Future:
    """Run ``apply`` on the embedded mode's single background thread."""
    global _background
    if _background is None:
        _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-tasks")
    return _background.submit(_in_background, apply, what)


def send(apply: Callable[[], object], what: str) -> bool:
    """Call ``apply`` (an ``apply_async``); False, logged, when the broker cannot take it."""
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.EMBEDDED_TASKS_IN_BACKGROUND:
        run_in_background(apply, what)
        return True
    try:
        apply()
    except BROKER_ERRORS as error:
        log.warning("%s not sent to the task broker (%s); the watchdog will send it", what, error)
        return False
    return True
