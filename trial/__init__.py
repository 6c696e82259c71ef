"""STRONG-BACK EDC project package and core trial domain.

Importing this package loads nothing else, so the pure modules inside it (``trial.protocol``,
``trial.eligibility``) stay free of Django. The Celery app is loaded by ``TrialConfig.ready``.
"""
