"""STRONG-BACK EDC project package and core trial domain."""

from .celery import app as celery_app

__all__ = ["celery_app"]
