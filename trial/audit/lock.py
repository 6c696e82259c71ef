"""The database lock as a write guard: once the data manager locks the database, no audited row
changes until it is unlocked with a reason.

The guard sits in ``AuditedModel``'s write paths, so every page, import, task and API call is held
by the same rule. The lock row is the core's ``DatabaseLock`` (the unblinding in ``randomization``
builds on it); it is imported when first needed, as models import this module.
"""

from __future__ import annotations

from trial.audit.exceptions import AuditError
from trial.compiled_query import CompiledQuery


class DatabaseLocked(AuditError):
    """A write while the database is locked; nothing was saved."""

    def __init__(self, label: str) -> None:
        super().__init__(
            f"The database is locked: {label} cannot be changed. The data manager can unlock it "
            "with a reason."
        )


def _open_locks() -> object:
    from trial.models.lock import DatabaseLock

    return DatabaseLock._base_manager.filter(unlocked_at__isnull=True).values_list("pk")[:1]


_OPEN_LOCK = CompiledQuery(_open_locks)  # asked before every audited write


def database_locked() -> bool:
    return bool(_OPEN_LOCK.rows())


def refuse_if_locked(model: type) -> None:
    """Raise ``DatabaseLocked`` unless the model stays writable under lock (the lock itself,
    emergency unblinding: safety never waits for an unlock)."""
    if getattr(model, "editable_when_locked", False):
        return
    if database_locked():
        raise DatabaseLocked(str(model._meta.verbose_name))


class RecordLocked(DatabaseLocked):
    """A write to a form or visit the data manager locked (answered 423 like the database lock)."""

    def __init__(self, what: str) -> None:
        AuditError.__init__(
            self,
            f"{what} is locked by the data manager: it cannot be changed until they unlock it "
            "with a reason.",
        )


def refuse_if_record_locked(instance: object) -> None:
    """Raise ``RecordLocked`` when the row belongs to a locked form or visit (its
    ``lock_scope()``: participant id, visit code, form code)."""
    scope = instance.lock_scope()  # type: ignore[attr-defined]
    if scope is None:
        return
    from trial.models.record_lock import WHOLE_VISIT, RecordLock

    participant_id, visit, form = scope
    lock = (
        RecordLock._base_manager.filter(
            participant_id=participant_id,
            visit_code=visit,
            form_code__in=[form, WHOLE_VISIT],
            unlocked_at__isnull=True,
        )
        .order_by("locked_at")
        .first()
    )
    if lock is not None:
        raise RecordLocked(f"{form or 'this visit'} at {visit}" if form else f"visit {visit}")
