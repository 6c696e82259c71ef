"""Settings and deployment: production checks, secrets, headers, error pages, demo refusal."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import Client, override_settings
from django.urls import path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "edc.example.org",
    "DATABASE_URL": "postgres://edc@127.0.0.1:5432/edc",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = manage(
        "check", "--deploy", "--settings=strongback.settings.production", **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", "--settings=strongback.settings.production", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_seed_demo_refuses_under_production_settings() -> None:
    result = manage("seed_demo", "--settings=strongback.settings.production", **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "refuses to run" in result.stderr


def test_security_headers_on_every_page(db) -> None:
    response = Client().get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def boom(request):
    raise RuntimeError("database password is hunter2 at /srv/secret/path")


urlpatterns = [path("boom/", boom)]
handler500 = "trial.views.errors.server_error"
handler404 = "trial.views.errors.page_not_found"


@override_settings(ROOT_URLCONF="tests.test_settings", DEBUG=False)
def test_500_page_reveals_nothing(db) -> None:
    from trial.access.policy import public

    public(boom)
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"hunter2" not in response.content and b"/srv/secret" not in response.content
    assert b"Something went wrong" in response.content


def test_404_page_reveals_nothing(client_for) -> None:
    response = client_for("coordinator").get("/participants/SB-999/secret-lsiq-score/")
    assert response.status_code == 404
    assert b"SB-999" not in response.content and b"lsiq" not in response.content.lower()


def test_403_page_reveals_nothing(client_for) -> None:
    response = client_for("therapist").get("/audit/")
    assert response.status_code == 403
    assert b"view_audit_trail" not in response.content and b"Access denied" in response.content


def test_french_is_available(client_for) -> None:
    client = client_for("coordinator")
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert client.get("/home/coordinator/").headers["Content-Language"] == "fr"


@pytest.mark.parametrize("module", ["strongback.settings.base", "strongback.settings.demo"])
def test_embedded_defaults_need_no_services(module: str) -> None:
    code = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": module},
        timeout=60,
    )
    engine, eager, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3" and eager == "True"
    assert debug == "False"  # the demo too: a mistyped URL must not list the URLconf


def test_the_demo_serves_static_files_with_debug_off() -> None:
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/static/css/app.css'); "
        "print(r.status_code, b''.join(r.streaming_content)[:1] != b'')"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "strongback.settings.demo"}, timeout=60,
    )  # fmt: skip
    assert result.stdout.split() == ["200", "True"], result.stderr[-2000:]


def test_health_is_public_and_terse(db) -> None:
    """Anonymous callers get each dependency's state in one word, never a detail."""
    response = Client().get("/health/")
    body = response.json()
    assert response.status_code == 200 and body["status"] in ("ok", "degraded")
    assert set(body) == {"status", "database", "broker", "workers", "storage"}
    assert set(body.values()) <= {"ok", "degraded", "in-process", "stale", "down", "full"}
