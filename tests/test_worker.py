"""A real Celery worker process on Redis writes a task's result into PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from trial.models import WorkerHeartbeat
from trial.tasks import record_worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_current_test_db() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def start_worker(queue: str, redis_url: str) -> subprocess.Popen:
    """A real Celery worker process listening only on ``queue``, sharing the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "strongback.settings.test",
        "DATABASE_URL": database_url_for_current_test_db(),
        "REDIS_URL": redis_url,
    }
    command = [sys.executable, "-m", "celery", "-A", "strongback", "worker", "--pool=solo", "-Q"]
    command += [queue, "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    return subprocess.Popen(
        [*command, "-n", f"{queue}@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_process_runs_task_and_writes_to_postgres(settings) -> None:
    assert connection.vendor == "postgresql" and settings.REDIS_URL
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    queue = f"test-{uuid.uuid4().hex[:8]}"  # no other worker listens here
    worker = start_worker(queue, settings.REDIS_URL)
    try:
        note = uuid.uuid4().hex
        result = record_worker_heartbeat.apply_async(kwargs={"note": note}, queue=queue)
        row_id = result.get(timeout=90)
        row = WorkerHeartbeat.objects.get(pk=row_id)
        assert row.note == note
        assert row.hostname  # written by the worker process, not by this one
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "record_worker_heartbeat" in output and "succeeded" in output
