"""Health check for load balancers and docker compose; reveals nothing but ok/not ok."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from trial.access.policy import public


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:  # any database error means "not healthy"; details stay in the server log
        database_ok = False
    return JsonResponse(
        {"status": "ok" if database_ok else "error"}, status=200 if database_ok else 503
    )
