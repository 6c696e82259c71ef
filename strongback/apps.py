from __future__ import annotations

from django.apps import AppConfig


class StrongbackConfig(AppConfig):
    name = "strongback"
    verbose_name = "STRONG-BACK EDC"

    def ready(self) -> None:
        from . import celery  # noqa: F401  (the Celery app binds @shared_task here)
