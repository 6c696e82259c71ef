"""The Celery application. Without ``REDIS_URL`` tasks run eagerly in-process (see settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongback.settings.base")

app = Celery("strongback")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
