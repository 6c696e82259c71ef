"""Core domain models, one concept per module."""

from .access import TrialAccess
from .audit import AuditEntry
from .heartbeat import WorkerHeartbeat
from .screening import ScreeningEntry
from .user import User

__all__ = ["AuditEntry", "ScreeningEntry", "TrialAccess", "User", "WorkerHeartbeat"]
