"""Rows sealed as they are written, by a writer that holds the chain's lock.

The sequencer (``trial.audit.sequencer``) seals a row after its writer commits: it reads the row
back, hashes it and updates it with its chain position, so every audited row is written twice
through the trail's indexes. The randomiser's batch writes six trail rows per randomisation, 120
for twenty simultaneous callers, while every caller waits for its commit; writing them twice cost
the database more than deciding the batch. The batch already runs alone (under the randomiser's
lock) and has each row's content in hand, so it takes the chain's lock as well, once its
participants are locked, reads the chain's head and inserts its rows already sealed.

Nothing else changes for other writers: they insert unsealed rows without the chain lock, and
their after-commit seal, finding the lock held, leaves their rows to the holder, whose own
after-commit seal covers them. A sealed row's hash is over its content as the database returns
it (``trial.audit.chain``), so the values hashed here are those stored forms.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.db import connection

from trial.audit.chain import GENESIS, ChainTail
from trial.audit.sequencer import CHAIN_LOCK_KEY, SEALED_HEAD
from trial.models.audit import AuditEntry
from trial.one_message import Result, Statement

_LOCK = "SELECT pg_advisory_xact_lock(%s)"


def take_statements() -> list[Statement]:
    """The chain's lock (PostgreSQL; on SQLite the IMMEDIATE transaction holds it), then its
    head, read after the lock is granted: to run inside the writer's transaction, together with
    other statements (``trial.one_message``), and read with ``tail_from``."""
    head = SEALED_HEAD.statement()
    if connection.vendor != "postgresql":
        return [head]
    return [Statement(_LOCK, [CHAIN_LOCK_KEY]), head]


def tail_from(results: Sequence[Result]) -> ChainTail:
    """The tail from the results of ``take_statements`` (the head is the last)."""
    rows = results[-1].rows
    return ChainTail(*rows[0]) if rows else ChainTail(0, GENESIS)


def stored_ip(value: str | None) -> str | None:
    """An address as PostgreSQL's ``inet`` prints it (and so as the trail reads it back):
    RFC 5952 text, except that an IPv4-mapped or IPv4-compatible IPv6 address ends in dotted
    IPv4 (``::ffff:1.2.3.4``). Elsewhere (SQLite) the text is stored as Django's field
    prepares it."""
    if value is None:
        return None
    if connection.vendor != "postgresql":
        return AuditEntry._meta.get_field("ip").get_db_prep_save(value, connection)
    address = ipaddress.ip_address(value)
    if address.version == 4:
        return str(address)
    words = [int.from_bytes(address.packed[i : i + 2], "big") for i in range(0, 16, 2)]
    mapped = words[:5] == [0] * 5 and words[5] == 0xFFFF
    compatible = words[:6] == [0] * 6 and words[6] != 0
    if mapped or compatible:
        dotted = str(ipaddress.IPv4Address(address.packed[12:]))
        return f"::ffff:{dotted}" if mapped else f"::{dotted}"
    return address.compressed
