"""Ending a person's access: API tokens and browser sessions revoked together, audited.

Tokens used to outlive everything (logout, lockout, deactivation); these are the explicit actions
that end them, and ``strongback.api.authentication`` refuses a token whose owner is inactive, locked
out or whose token is older than ``API_TOKEN_MAX_AGE``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from trial.audit.recorder import record
from trial.models.audit import AuditAction


def is_locked_out(username: str) -> bool:
    """Has django-axes locked this account? Failures are counted per user name across every
    attempt record (the lockout parameter is the user name alone), within the cool-off."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    attempts = AccessAttempt.objects.filter(username=username)
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def _user_sessions(user_id: int) -> list[str]:
    """Keys of the live sessions signed in as ``user_id`` (sessions are not indexed by user)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def revoke_access(user: object, reason: str) -> tuple[int, int]:
    """Delete every API token and browser session of ``user``; returns (tokens, sessions)."""
    tokens, _ = Token.objects.filter(user=user).delete()
    keys = _user_sessions(user.pk)  # type: ignore[attr-defined]
    sessions, _ = Session.objects.filter(session_key__in=keys).delete()
    record(
        AuditAction.PERMISSION_CHANGE,
        object_type="trial.User",
        object_id=user.pk,  # type: ignore[attr-defined]
        reason=f"access revoked ({tokens} API token(s), {sessions} session(s)): {reason}",
    )
    return tokens, sessions


@transaction.atomic
def deactivate_user(user: object, reason: str) -> None:
    """Deactivate (never delete: the audit trail names them) and revoke every access."""
    if not reason.strip():
        raise ValueError("Say why the account is deactivated.")
    user.is_active = False  # type: ignore[attr-defined]
    user.save(update_fields=["is_active"])  # type: ignore[attr-defined]
    revoke_access(user, f"account deactivated: {reason.strip()}")
