"""The core of STRONG-BACK EDC: participants, the protocol, visits, the audit trail and access.

It imports no feature app (``tests/test_layering.py``); the feature apps plug their forms, arms
and worklist items in through declared handlers (``trial.handlers``, ``trial.arms``). Importing
this package loads nothing else, so the pure modules inside it (``trial.protocol``,
``trial.eligibility``) stay free of Django.
"""
