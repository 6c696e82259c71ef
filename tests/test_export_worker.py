"""A big export through a real Celery worker on Redis: the page queues it, the worker writes the
file (with the same bytes as a streamed export) and the status page shows it done."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from outcomes.exports.layout import AGE_TOP_CODE, format_value
from outcomes.exports.variables import ExportOptions, Variable
from tests.test_worker import start_worker


@pytest.mark.redis
def test_worker_writes_a_big_export(settings, client_for, transactional_db, tmp_path) -> None:
    from outcomes.models import ExportRecord, ExportStatus
    from strongback.demo.seed import seed_demo
    from tests.conftest import DEMO_PASSWORD

    media = tmp_path / "media"
    os.environ["MEDIA_ROOT"] = str(media)  # the worker process reads it from its environment
    settings.MEDIA_ROOT = str(media)
    queue = f"exports-{uuid.uuid4().hex[:8]}"
    settings.DEVICE_TASK_QUEUE = queue
    settings.EXPORT_ASYNC_THRESHOLD = 1
    seed_demo(participants=6, password=DEMO_PASSWORD)
    worker = start_worker(queue, django_settings.REDIS_URL)
    try:
        client = client_for("data_manager")
        streamed = client.post("/exports/", {"dataset": "codebook", "deidentified": "on"})
        assert streamed["Content-Type"] == "text/csv"  # only long and wide go to the worker
        response = client.post("/exports/", {"dataset": "wide", "deidentified": "on"})
        export = ExportRecord.objects.latest("created_at")
        assert response["Location"] == f"/exports/{export.pk}/"
        deadline = time.monotonic() + 60
        while export.status not in (ExportStatus.DONE, ExportStatus.FAILED):
            assert time.monotonic() < deadline, "the worker did not finish the export"
            time.sleep(0.5)
            export.refresh_from_db()
        assert export.status == ExportStatus.DONE, export.error
        written = Path(media, export.file).read_bytes()
        assert written.count(b"\n") == export.rows + 1
        settings.EXPORT_ASYNC_THRESHOLD = 10_000
        again = client.post("/exports/", {"dataset": "wide", "deidentified": "on"})
        assert b"".join(again.streaming_content) == written
        assert "100 %" in client.get(f"/exports/{export.pk}/").content.decode()
    finally:
        os.environ.pop("MEDIA_ROOT", None)
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert "outcomes.tasks.run_export" in output and "succeeded" in output, output[-2000:]


def test_safe_harbor_formatting_of_ages_and_dates() -> None:
    import datetime as dt

    class Record:
        study_id, arm, values = "SB-001", "", {}
        randomised_on = dt.date(2026, 3, 2)

    age = Variable("age_years", "Age", "integer", "sociodemographics")
    when = Variable("odi_completed_on", "ODI date", "date", "odi", visit="baseline")
    deid, identified = ExportOptions(deidentified=True), ExportOptions(deidentified=False)
    assert format_value(age, 93, Record, deid) == f"{AGE_TOP_CODE + 1}+"
    assert format_value(age, 89, Record, deid) == "89"
    assert format_value(age, 93, Record, identified) == "93"
    assert format_value(when, dt.date(2026, 2, 20), Record, deid) == "-10"
    assert format_value(when, dt.date(2026, 6, 22), Record, deid) == "112"
    assert format_value(when, dt.date(2026, 2, 20), Record, identified) == "2026-02-20"
    Record.randomised_on = None  # no anchor: a calendar date would identify, so it is left out
    assert format_value(when, dt.date(2026, 2, 20), Record, deid) == ""
