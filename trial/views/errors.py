"""Error pages that reveal nothing: no exception text, no path, no object names."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # No request context for 500: a broken context processor must not break the error page.
    context = {} if status == 500 else {"request": request}
    return HttpResponse(loader.render_to_string(template, context), status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", 500)
