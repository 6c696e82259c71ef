"""Counting the messages a piece of code sends to the database, for the round-trip tests."""

from __future__ import annotations

from django.test.utils import CaptureQueriesContext


def sent(queries: CaptureQueriesContext) -> list[str]:
    """The SQL sent, less the statements prepared once per session (``trial.prepared``): a
    long-lived connection has sent those already, so they are not a round trip of the code
    measured."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("PREPARE ")]


def prepared(queries: CaptureQueriesContext) -> list[str]:
    """The statements prepared while ``queries`` captured."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("PREPARE ")]
