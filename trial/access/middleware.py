"""Enforces each view's declared policy before the view runs. No declaration, no access."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from trial.access.policy import policy_for

logger = logging.getLogger(__name__)


class DenyByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        policy = policy_for(view, match.namespaces if match else ())
        if policy is not None and (policy.public or policy.api):
            # API views authenticate tokens themselves and then check the same permissions
            # (strongback.api.permissions.DeclaredPermissions); anonymous calls get 401/403 there.
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if policy is None:
            logger.error(
                "View %s declares no access policy; refused.", getattr(view, "__name__", view)
            )
            raise PermissionDenied
        if policy.delegated or policy.signed_in:
            return None
        if not request.user.has_perms(policy.permissions):
            raise PermissionDenied
        return None


class DatabaseLockedMiddleware:
    """A write refused by the database lock becomes a clear page (or JSON for the API) with
    status 423 Locked, whatever view attempted it; the transaction was already rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.shortcuts import render

        from trial.audit.lock import DatabaseLocked

        if not isinstance(exception, DatabaseLocked):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(exception)}, status=423)
        return render(request, "locked.html", {"refusal": str(exception)}, status=423)
