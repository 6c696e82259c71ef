"""Sealing the audit trail: the hash chain is written after commit by one sequencer at a time.

Writers insert audit rows inside their own transaction with no chain position (``seq``,
``prev_hash`` and ``hash`` empty) and take no lock shared with other writers, so audited writes
of different participants never wait for each other. After each audited commit, and from the beat
task and before any check or export of the trail, ``seal_pending`` takes the chain's advisory lock
in a short transaction of its own, reads the unsealed rows in insertion order and gives each the
next ``seq`` and its hash over the previous row's hash and its own content.

Inside a web request the seal waits until the response has been sent (``seal_deferred``, entered
by ``trial.audit.middleware.SealAfterResponseMiddleware``): the user's answer does not wait for
the hashing, and one seal covers every audited commit of the request. Everywhere else (tasks,
commands, scripts) it runs at each commit.

One writer seals its own rows instead: the randomiser's batch, which holds the chain's lock for
its transaction and inserts its rows with their chain position (``trial.audit.tail``).

Until sealed (milliseconds after commit or after the response), a row is still protected by the
database trigger, which refuses every update except the one that seals it (chain columns filled,
content unchanged) and every delete. After sealing, the chain and the signed anchor detect a
changed, removed or reordered row, as before.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet, Subquery

from trial.advisory_locks import advisory_xact_lock
from trial.audit.chain import GENESIS, HASHED_FIELDS, ChainTail
from trial.compiled_query import CompiledQuery
from trial.set_sql import update_rows

log = logging.getLogger(__name__)

# Arbitrary constant identifying the audit chain's advisory lock on PostgreSQL.
CHAIN_LOCK_KEY = 0x53424144  # "SBAD"
BATCH = 5000


def _sealed_newest_first() -> QuerySet:
    from trial.models.audit import AuditEntry

    return AuditEntry.objects.filter(seq__isnull=False).order_by("-seq")


def sealed_head() -> tuple[int, str] | None:
    """The last sealed row's (seq, hash); None for an empty chain."""
    return _sealed_newest_first().values_list("seq", "hash").first()


# ``sealed_head`` compiled, for a writer that reads it with other statements (``trial.audit.tail``).
SEALED_HEAD = CompiledQuery(lambda: _sealed_newest_first().values_list("seq", "hash")[:1])


_PENDING_COLUMNS = ("id", "head_seq", "head_hash", *HASHED_FIELDS)


def _unsealed_with_head() -> QuerySet:
    from trial.models.audit import AuditEntry

    head = _sealed_newest_first()
    return (
        AuditEntry.objects.filter(seq__isnull=True)
        .order_by("id")
        .annotate(
            head_seq=Subquery(head.values("seq")[:1]),
            head_hash=Subquery(head.values("hash")[:1]),
        )
        .values_list(*_PENDING_COLUMNS)[:BATCH]
    )


_UNSEALED = CompiledQuery(_unsealed_with_head)  # read after every audited commit


def _seal_batch() -> int:
    """One read (the unsealed rows, each carrying the sealed head) and one set-based update."""
    from trial.models.audit import AuditEntry

    pending = _UNSEALED.rows()  # each: id, head_seq, head_hash, then the hashed fields
    if not pending:
        return 0
    _id, head_seq, head_hash = pending[0][:3]
    tail = ChainTail(head_seq or 0, head_hash or GENESIS)
    sealed = [(row[0], *tail.seal(row[3:])) for row in pending]
    written = update_rows(AuditEntry, "id", ["seq", "prev_hash", "hash"], sealed, unless_set="seq")
    if written != len(sealed):  # only this sequencer seals (under the lock): never expected
        raise RuntimeError(f"audit seal: {written} of {len(sealed)} rows sealed; none kept")
    return len(sealed)


def seal_pending(wait: bool = True) -> int:
    """Seal every committed unsealed row; returns how many. With ``wait`` off (after a commit)
    it returns at once when another sequencer holds the lock: that one seals these rows too."""
    total = 0
    while True:
        with transaction.atomic():
            if not advisory_xact_lock(CHAIN_LOCK_KEY, wait):
                return total
            count = _seal_batch()
        total += count
        if count < BATCH:
            return total


def schedule_seal() -> None:
    """Seal after this transaction commits: once per transaction, however many audited writes
    it holds (a callback dropped with a rolled-back savepoint is registered again)."""
    pending = connection.run_on_commit if connection.in_atomic_block else []
    if not any(callback is seal_after_commit for _sids, callback, _robust in pending):
        # Robust: the write is committed whatever happens here; a seal that fails is logged
        # and done by the next commit or the beat task, never reported as a failed write.
        transaction.on_commit(seal_after_commit, robust=True)


def seal_after_commit() -> None:
    """The on_commit hook of every audited write: seal, then anchor the head when due; inside
    ``seal_deferred``, only note that a seal is due."""
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.due = True
        return
    _seal_and_anchor()


def _seal_and_anchor() -> None:
    from trial.audit.anchor import anchor_soon

    seal_pending(wait=False)
    anchor_soon()


@dataclass
class DeferredSeal:
    """A seal left for later by the commits inside ``seal_deferred``."""

    due: bool = False

    def run(self) -> None:
        """Seal now if a commit left it due. A failure is logged, not raised: the writes are
        committed, and the next seal (any audited commit, the beat task) covers their rows."""
        if not self.due:
            return
        self.due = False
        try:
            _seal_and_anchor()
        except Exception:
            log.exception("audit seal after the response failed; the next seal covers its rows")


_DEFERRED: ContextVar[DeferredSeal | None] = ContextVar("audit_seal_deferred", default=None)


class seal_deferred:  # lower case: it reads as a function, ``with seal_deferred() as seal:``
    """Within the block, audited commits leave their seal to the caller, who runs the
    ``DeferredSeal`` it gives once its answer is out (a request: after the response is sent).
    If the block raises, a due seal runs at once.

    A class rather than a ``@contextmanager`` generator, as ``audit_context`` is: a generator
    left open is closed by the garbage collector whenever it runs, and its reset would then
    undo another block's state."""

    def __init__(self) -> None:
        self._deferred = DeferredSeal()
        self._token: Token[DeferredSeal | None] | None = None

    def __enter__(self) -> DeferredSeal:
        self._token = _DEFERRED.set(self._deferred)
        return self._deferred

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        token, self._token = self._token, None
        if token is not None:
            _DEFERRED.reset(token)
        if kind is not None:
            self._deferred.run()
