"""Handing a task to the broker without letting a broker outage lose or break anything.

The row that asks for the work (a study, a recording) is saved first and is itself the record
that work is owed; sending the message is a second, fallible step. When the broker is unreachable
the caller's page still succeeds, the row keeps saying "waiting for the processing service", and a
watchdog sends again later. Only broker and connection errors are caught; a task that runs
in-process (the embedded mode) and fails still raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)


def send(apply: Callable[[], object], what: str) -> bool:
    """Call ``apply`` (an ``apply_async``); False, logged, when the broker cannot take it."""
    try:
        apply()
    except BROKER_ERRORS as error:
        log.warning("%s not sent to the task broker (%s); the watchdog will send it", what, error)
        return False
    return True
