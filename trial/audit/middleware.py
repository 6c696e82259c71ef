"""Fills the audit context (user, role, channel, client IP, user agent) for each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from trial.audit.context import audit_context, context_for_user
from trial.audit.sequencer import seal_deferred


def client_ip(request: HttpRequest) -> str | None:
    """The client address as seen by the server (proxies are resolved by the deployment)."""
    return request.META.get("REMOTE_ADDR") or None


def channel_for_path(path: str) -> str:
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "web"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kwargs = context_for_user(
            getattr(request, "user", None),
            channel=channel_for_path(request.path),
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            reason="",
        )
        with audit_context(**kwargs):
            return self.get_response(request)


class SealAfterResponseMiddleware:
    """Seals the request's audited rows into the hash chain once the response has been sent
    (the server closes the response after writing it), not before: the user does not wait for
    the hashing. Placed before every middleware that writes, so that every audited commit of the
    request is covered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with seal_deferred() as deferred:
            response = self.get_response(request)
        if deferred.due:
            # Django runs these when the server closes the response (WSGI ``close()``), after
            # the body is written; ``DeferredSeal.run`` logs its own failures.
            response._resource_closers.append(deferred.run)
        return response
