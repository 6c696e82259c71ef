"""Transaction-scoped PostgreSQL advisory locks, for the few writers that must take turns (the
audit chain's sequencer, the randomiser). On SQLite the IMMEDIATE transaction already holds the
only write lock, so each is granted at once there."""

from __future__ import annotations

from django.db import connection


def advisory_xact_lock(key: int, wait: bool) -> bool:
    """Take lock ``key`` until this transaction ends: with ``wait``, once its holder is done;
    without, at once or not at all (False: another transaction holds it)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return bool(cursor.fetchone()[0])
