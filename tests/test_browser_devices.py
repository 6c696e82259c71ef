"""Real Chromium and a real Celery worker: a coordinator enters a sleep diary, uploads a .cwa
file, previews it, imports it, and sees the nightly summary and the plot once the worker has
scored it."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from tests.journey import wear_start
from tests.test_browser import log_in
from tests.test_worker import start_worker

pytestmark = [pytest.mark.browser, pytest.mark.redis]


@pytest.fixture
def device_worker(settings, transactional_db):
    queue = f"devices-{uuid.uuid4().hex[:8]}"
    settings.DEVICE_TASK_QUEUE = queue
    worker = start_worker(queue, settings.REDIS_URL)
    yield worker
    worker.terminate()
    output, _ = worker.communicate(timeout=30)
    assert "score_actigraphy" in output and "succeeded" in output, output[-2000:]


def test_coordinator_uploads_a_cwa_and_a_diary_and_sees_the_nights_and_plot(
    device_worker, page, tmp_path
) -> None:
    from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa
    from trial.models import Participant

    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    start = wear_start(participant, "week16")
    plan = planned_week(start.date(), nights=3)
    path = tmp_path / "AX3-week16.cwa"
    write_cwa(path, week_accel(start, 3.1, 12.5, plan), start, fs=12.5)

    log_in(page, "coordinator")
    page.goto(f"/participants/{participant.study_id}/")
    page.locator('[data-visit="week16"]').get_by_role("link", name="actigraphy").click()
    for row, night in enumerate(plan):
        page.locator(f"#id_diary-{row}-night").fill(f"{night.into_bed:%Y-%m-%d}")
        page.locator(f"#id_diary-{row}-into_bed").fill(f"{night.into_bed:%H:%M}")
        page.locator(f"#id_diary-{row}-final_wake").fill(f"{night.final_wake:%H:%M}")
        page.locator(f"#id_diary-{row}-out_of_bed").fill(f"{night.out_of_bed:%H:%M}")
    page.get_by_role("button", name="Save diary").click()
    assert "Sleep diary saved: 3 nights." in page.locator(".alert").inner_text()

    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload .cwa and preview").click()
    preview = page.get_by_test_id("cwa-preview").inner_text()
    assert "AX3 #12345" in preview and f"{start:%Y-%m-%d %H:%M}" in preview and "12.5 Hz" in preview
    page.get_by_role("button", name="Import").click()
    deadline = time.monotonic() + 120
    while "Done" not in page.get_by_test_id("recording-status").inner_text():
        assert time.monotonic() < deadline, "the worker did not score the file in 2 minutes"
        time.sleep(1)
        page.reload()
    table = page.get_by_test_id("sleep-nights")
    first = table.locator(f'[data-night="{start:%Y-%m-%d}"]').inner_text()
    assert "sleeplog" in first and "22:59" in first and "06:40" in first
    assert "510" in first  # time in bed 22:30-07:00, from the diary
    assert page.get_by_test_id("sleep-plot").locator("svg rect[data-night]").count() == 3
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', tmp_path)}/actigraphy-week.png")
