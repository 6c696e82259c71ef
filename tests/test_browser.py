"""Real Chromium through Playwright: log in, land on the worklist, record a screening."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server, chromium_path: str, transactional_db) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from trial.demo.seed import seed_demo

    seed_demo(participants=2, password=DEMO_PASSWORD)
    # Playwright's sync API runs an event loop in this thread; the ORM calls are still sequential.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(base_url=live_server.url)
        console_errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                console_errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert console_errors == [], console_errors  # e.g. a CSP violation or a script error


def log_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_coordinator_records_a_screening_and_sees_it_on_the_worklist(page, tmp_path) -> None:
    log_in(page, "coordinator")
    page.get_by_test_id("role-home").wait_for()
    assert "Research coordinator" in page.get_by_test_id("role-home").inner_text()
    page.get_by_role("link", name="Record a person approached").first.click()
    page.get_by_label("Date approached").fill("2026-11-20")
    page.get_by_label("Source").select_option("clinic")
    page.get_by_label("Age at screening").fill("44")
    page.locator("#id_language").select_option("fr")
    page.get_by_role("button", name="Save").click()
    assert "Saved SCR-" in page.locator(".alert").inner_text()
    page.get_by_role("link", name="Home").click()
    assert page.get_by_text("2026-11-20").count() == 1
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', tmp_path)}/coordinator-home.png")


def test_therapist_does_not_see_the_audit_trail_link(page) -> None:
    log_in(page, "therapist")
    page.get_by_test_id("role-home").wait_for()
    assert page.get_by_role("link", name="Audit trail").count() == 0
    response = page.goto("/audit/")
    assert response.status == 403
