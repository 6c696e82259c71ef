"""The database lock as a write guard: once the data manager locks the database, no audited row
changes until it is unlocked with a reason.

The guard sits in ``AuditedModel``'s write paths, so every page, import, task and API call is held
by the same rule. The lock row is the core's ``DatabaseLock`` (the unblinding in ``randomization``
builds on it); it is imported when first needed, as models import this module.
"""

from __future__ import annotations

from trial.audit.exceptions import AuditError


class DatabaseLocked(AuditError):
    """A write while the database is locked; nothing was saved."""

    def __init__(self, label: str) -> None:
        super().__init__(
            f"The database is locked: {label} cannot be changed. The data manager can unlock it "
            "with a reason."
        )


def database_locked() -> bool:
    from trial.models.lock import DatabaseLock

    return DatabaseLock._base_manager.filter(unlocked_at__isnull=True).exists()


def refuse_if_locked(model: type) -> None:
    """Raise ``DatabaseLocked`` unless the model stays writable under lock (the lock itself,
    emergency unblinding: safety never waits for an unlock)."""
    if getattr(model, "editable_when_locked", False):
        return
    if database_locked():
        raise DatabaseLocked(str(model._meta.verbose_name))
