"""API tokens end: they expire, and die with logout-everywhere, lockout and deactivation.

An outside attack found tokens that never expired and kept working after logout, lockout and
deactivation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.conftest import DEMO_PASSWORD
from trial.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/participants/"


def _get(token: Token | str) -> int:
    key = token.key if isinstance(token, Token) else token
    return Client().get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_token_expires(role_users: dict, settings) -> None:
    token = Token.objects.create(user=role_users["assessor"])
    assert _get(token) == 200
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - settings.API_TOKEN_MAX_AGE - dt.timedelta(minutes=1)
    )
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert not Token.objects.filter(key=token.key).exists()


def test_logout_everywhere_ends_sessions_and_tokens(role_users: dict, client_for: Callable) -> None:
    token = Token.objects.create(user=role_users["assessor"])
    here, elsewhere = client_for("assessor"), client_for("assessor")
    assert elsewhere.get("/participants/").status_code == 200
    response = here.post("/logout/everywhere/")
    assert response.status_code == 302
    assert _get(token) == 401
    signed_out = elsewhere.get("/participants/")  # the other browser is signed out too
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(reason__contains="logged out everywhere").exists()


def test_a_locked_out_account_loses_its_tokens(role_users: dict) -> None:
    user = role_users["statistician"]
    token = Token.objects.create(user=user)
    for _ in range(5):
        Client().post("/login/", {"username": user.username, "password": "wrong-password-0"})
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401 and "locked" in response.json()["detail"]
    assert not Token.objects.filter(user=user).exists()


def test_a_deactivated_account_loses_its_tokens_and_sessions(
    role_users: dict, client_for: Callable
) -> None:
    user = role_users["monitor"]
    token = Token.objects.create(user=user)
    browser = client_for("monitor")
    call_command("deactivate_user", user.username, "--reason=left the study team")
    assert _get(token) == 401 and not Token.objects.filter(user=user).exists()
    assert browser.get("/participants/")["Location"].startswith("/login/")
    again = Client().post("/login/", {"username": user.username, "password": DEMO_PASSWORD})
    assert again.status_code == 200  # the form again: an inactive account cannot log in
    assert AuditEntry.objects.filter(reason__contains="account deactivated").exists()
