"""Login, logout and failed logins written to the audit trail (ICH E6(R3) 4.2.2(i)).

Django reports these only through signals; these receivers record and do nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from trial.audit.context import audit_context, context_for_user
from trial.audit.middleware import channel_for_path, client_ip
from trial.audit.recorder import record
from trial.models.audit import AuditAction


def _request_context(request: Any, user: Any, **extra: Any) -> dict[str, Any]:
    if request is None:
        return context_for_user(user, channel="system", **extra)
    return context_for_user(
        user,
        channel=channel_for_path(request.path),
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        **extra,
    )


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with audit_context(**_request_context(request, user)):
        record(AuditAction.LOGIN, object_type="trial.User", object_id=user.pk)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with audit_context(**_request_context(request, user)):
        record(AuditAction.LOGOUT, object_type="trial.User", object_id=user.pk)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The attempted username is kept (attribution of attacks); the password never is.
    attempted = str(credentials.get("username", ""))[:150]
    with audit_context(**_request_context(request, None, username=attempted)):
        record(AuditAction.LOGIN_FAILED, object_type="trial.User")
