"""The STRONG-BACK EDC project: settings, the root URLconf, the Celery app, the API, the demo and
the pages that compose every app (role homes, the participant page). It sits on top of the core
(``trial``) and the feature apps (``randomization``, ``outcomes``, ``imaging``); nothing below
imports it (``tests/test_layering.py``)."""
