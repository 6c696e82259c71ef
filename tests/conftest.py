"""Shared fixtures. With CI=true the suite refuses to run without PostgreSQL and Redis."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from strongback.demo.seed import demo_username
from trial.roles import ROLES, ROLES_BY_CODE

DEMO_PASSWORD = "correct-horse-battery-9"
CHROMIUM = "/usr/bin/chromium"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _service_problems() -> list[str]:
    problems = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point to PostgreSQL")
    else:
        import psycopg

        try:
            psycopg.connect(
                host=database["HOST"] or "127.0.0.1",
                port=database["PORT"] or 5432,
                user=database["USER"],
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as exc:
            problems.append(f"PostgreSQL unreachable: {exc}")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis unreachable: {exc}")
    return problems


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker's numeric libraries (and the Celery workers it starts)
    get their share of the cores: several workers each running PyTorch on every core oversubscribe
    the machine (two image tests beside each other ran 3-8x slower)."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    if workers > 1:
        share = str(max(1, (os.cpu_count() or 1) // workers))
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ.setdefault(name, share)


def pytest_sessionstart(session: pytest.Session) -> None:
    if in_ci():
        problems = _service_problems()
        if problems:
            pytest.exit("CI=true but: " + "; ".join(problems), returncode=3)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Service-backed tests run whenever the service is configured, and always under CI."""
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    reasons = {
        "postgres": None if on_postgres or in_ci() else "needs DATABASE_URL=postgres://...",
        "redis": None
        if (settings.REDIS_URL and on_postgres) or in_ci()
        else "needs REDIS_URL and PostgreSQL (the worker shares the test database)",
        "browser": None if os.path.exists(CHROMIUM) or in_ci() else f"needs {CHROMIUM}",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _audit_anchor_dir(tmp_path, settings) -> None:
    """Each test's audit anchors in its own folder: a test database never meets another's."""
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchor"


SEEDED_PARTICIPANTS = 3


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory) -> None:
    """The demo trial is built once per session, right after the test database: every
    non-transactional test runs inside a transaction rolled back at its end, so each one starts
    from this same trial without paying for building it (73 % of the suite's time before)."""
    from django.test import override_settings

    from strongback.demo.seed import seed_demo

    anchor = tmp_path_factory.mktemp("seed-audit-anchor")
    with django_db_blocker.unblock(), override_settings(AUDIT_ANCHOR_DIR=anchor):
        seed_demo(participants=SEEDED_PARTICIPANTS, password=DEMO_PASSWORD)


@pytest.fixture
def role_users(db: None) -> dict[str, object]:
    """One user per role (the demo accounts), keyed by role code, all with DEMO_PASSWORD.

    The session's demo trial is there for ordinary tests; a transactional test (its database is
    emptied after each one) builds the same trial again."""
    from strongback.demo.seed import seed_demo
    from trial.models import User

    usernames = {role.code: demo_username(role) for role in ROLES}
    users = {u.username: u for u in User.objects.filter(username__in=usernames.values())}
    if len(users) < len(ROLES):
        seed_demo(participants=SEEDED_PARTICIPANTS, password=DEMO_PASSWORD)
        users = {u.username: u for u in User.objects.filter(username__in=usernames.values())}
    return {code: users[username] for code, username in usernames.items()}


@pytest.fixture
def client_for(role_users: dict[str, object]) -> Callable[[str], Client]:
    """A logged-in test client for a role code (the session goes through the real login)."""

    def make(role_code: str) -> Client:
        client = Client()
        user = role_users[ROLES_BY_CODE[role_code].code]
        response = client.post("/login/", {"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login failed for {role_code}"
        return client

    return make


@pytest.fixture
def chromium_path() -> str:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is not installed")
    return CHROMIUM


@pytest.fixture
def instrument_tables() -> Callable[[str], list[dict[str, str]]]:
    """Rows of a table in ``shared/reference/instrument-tables`` (the source of every scoring
    constant). Skipped when the folder is absent outside CI; under CI it must be there."""
    import csv
    from pathlib import Path

    folder = Path(settings.SHARED_REFERENCE_DIR) / "instrument-tables"
    if not folder.is_dir():
        if in_ci():
            pytest.fail(f"CI=true but {folder} is missing")
        pytest.skip(f"{folder} is absent (set SHARED_REFERENCE_DIR)")

    def rows(name: str) -> list[dict[str, str]]:
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return rows


@pytest.fixture
def shared_data() -> Callable[[str], object]:
    """Path of a file in ``shared/data`` (real public test data, never copied into the repo).
    Skipped when the folder is absent outside CI; under CI it must be there."""
    from pathlib import Path

    folder = Path(settings.SHARED_DATA_DIR)
    if not folder.is_dir():
        if in_ci():
            pytest.fail(f"CI=true but {folder} is missing")
        pytest.skip(f"{folder} is absent (set SHARED_DATA_DIR)")

    def path(relative: str) -> Path:
        found = folder / relative
        assert found.exists(), f"{found} is missing from the shared data"
        return found

    return path


@pytest.fixture
def reference_masks(tmp_path, shared_data: Callable[[str], object], settings):
    """The imaging pipeline in-process: tasks eager, media under ``tmp_path``, labels from the
    shared sample's reference mask. Returns the masks folder."""
    from tests.imaging_study import reference_masks_folder

    folder = reference_masks_folder(tmp_path / "masks", shared_data)
    settings.IMAGING_SEGMENTER = "reference"
    settings.IMAGING_REFERENCE_MASKS_DIR = str(folder)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return folder


@pytest.fixture
def page(live_server, chromium_path: str, transactional_db) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from strongback.demo.seed import seed_demo

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
        # ORM calls made while Playwright's loop runs get a connection of their own context;
        # close it here so the test database can be dropped.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert console_errors == [], console_errors  # e.g. a CSP violation or a script error
