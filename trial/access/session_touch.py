"""The idle timeout slides without a session write on every request.

``SESSION_SAVE_EVERY_REQUEST`` wrote the session row on every page (an UPDATE and a transaction
per request). Instead the session is saved, with a fresh expiry, when it was last saved more than
``SESSION_TOUCH_SECONDS`` ago: the idle timeout is kept to within that many seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED = "_touched_at"


class SlidingSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(TOUCHED, 0)) >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED] = now  # marks it modified: saved, and its expiry moved on
        return response
