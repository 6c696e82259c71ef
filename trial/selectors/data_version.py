"""A stamp of the committed trial data, for caches of views derived from it.

Every write to trial data goes through ``AuditedModel`` and so adds create, update or delete rows
to the audit trail, and every commit of such rows changes one of: the number of them not yet
sealed into the chain, or (once sealed) their highest ``seq``, which follows commit order. Their
highest id is added so that rows rolled back and written again differently do not repeat a stamp.
A derived view cached under the stamp is therefore recomputed after any committed change, by any
process; events that change no data (logins, views of identifying data, exports) leave it as is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import connection

from trial.models.audit import DATA_CHANGE_ACTIONS

T = TypeVar("T")

DataVersion = tuple[int, int, int]

# Each sub-select is answered from a partial index (see AuditEntry.Meta.indexes).
_STAMP = (
    "SELECT (SELECT max(seq) FROM trial_auditentry WHERE action IN (%s, %s, %s)), "
    "(SELECT count(*) FROM trial_auditentry WHERE seq IS NULL AND action IN (%s, %s, %s)), "
    "(SELECT max(id) FROM trial_auditentry WHERE action IN (%s, %s, %s))"
)
_PARAMS = [str(action) for action in DATA_CHANGE_ACTIONS] * 3


def data_version() -> DataVersion | None:
    """The stamp, or None inside a transaction (what it reads may yet be rolled back, so
    nothing read there may be cached)."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_STAMP, _PARAMS)
        top, unsealed, last = cursor.fetchone()
    return (top or 0, unsealed or 0, last or 0)


class DerivedCache:
    """The last few results of a view derived from trial data, in this process, each under a key
    that starts with the data stamp (so a change anywhere makes every entry unreachable)."""

    def __init__(self, size: int = 16) -> None:
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get_or_compute(self, key: Hashable | None, compute: Callable[[], T]) -> T:
        """``compute()`` when ``key`` is None (no stamp) or unseen, else the kept result."""
        if key is None:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
