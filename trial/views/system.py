"""Health check for load balancers and docker compose: each dependency's state, no details."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from trial.access.policy import public
from trial.health import report


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """503 when the database, broker or storage is down, else 200; each one's state by name."""
    checks, status = report()
    return JsonResponse({"status": status, **checks}, status=503 if status == "error" else 200)
