"""Celery entry points of the core app: thin wrappers around services."""

from __future__ import annotations

import socket

from celery import shared_task

from trial.services import record_heartbeat


@shared_task(name="trial.tasks.record_worker_heartbeat")
def record_worker_heartbeat(note: str = "") -> int:
    """Write a heartbeat row from the worker (beat runs it every minute); returns its id."""
    return record_heartbeat(socket.gethostname(), note).pk


@shared_task(name="trial.tasks.seal_audit_chain")
def seal_audit_chain() -> int:
    """Seal audit rows committed but not yet in the hash chain; returns how many."""
    from trial.audit.sequencer import seal_pending

    return seal_pending()


@shared_task(name="trial.tasks.anchor_audit_chain")
def anchor_audit_chain() -> int | None:
    """Append the audit chain's head to the signed file outside the database."""
    from trial.audit.anchor import write_anchor

    anchor = write_anchor()
    return anchor.seq if anchor else None
