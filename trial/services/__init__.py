"""Explicit state-changing functions of the core app (views and tasks call these)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from trial.models import WorkerHeartbeat
from trial.roles import ROLES


def record_heartbeat(hostname: str, note: str = "") -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname=hostname[:255], note=note[:255])


def sync_roles() -> dict[str, int]:
    """Create or update one group per role with exactly its declared permissions (idempotent)."""
    counts = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.group_name)
        permissions = list(
            Permission.objects.filter(
                content_type__app_label="trial", codename__in=role.permissions
            )
        )
        missing = role.permissions - {p.codename for p in permissions}
        if missing:
            raise LookupError(f"Permissions {sorted(missing)} do not exist yet; run migrate first.")
        group.permissions.set(permissions)
        counts[role.code] = len(permissions)
    return counts
