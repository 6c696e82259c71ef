"""WSGI entry point (gunicorn strongback.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongback.settings.production")
application = get_wsgi_application()
