"""``manage.py rotate_identity_keys`` re-encrypts every protected value with the newest key,
leaves the plain values unchanged, is audited, and finishes a stopped run when run again."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from trial.crypto.keys import derived_key
from trial.models import AuditEntry, ParticipantIdentity
from trial.models.audit import AuditAction

pytestmark = pytest.mark.django_db


def _raw_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_name FROM {ParticipantIdentity._meta.db_table}")
        return [row[0] for row in cursor.fetchall() if row[0]]


def _opens(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_rotation_moves_every_token_to_the_newest_key(role_users: dict, settings, capsys) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    names = dict(ParticipantIdentity.objects.values_list("pk", "last_name"))
    assert names and all(_opens(old, t) for t in _raw_tokens())
    new = derived_key("the next key")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    call_command("rotate_identity_keys")
    first = capsys.readouterr().out
    tokens = _raw_tokens()
    assert tokens and all(_opens(new, t) and not _opens(old, t) for t in tokens)
    assert dict(ParticipantIdentity.objects.values_list("pk", "last_name")) == names
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can go: nothing needs it any more
    assert dict(ParticipantIdentity.objects.values_list("pk", "last_name")) == names
    assert "trial.ParticipantIdentity:" in first and " 0 re-encrypted" not in first.split(
        "trial.ParticipantIdentity:")[1].splitlines()[0]  # fmt: skip

    call_command("rotate_identity_keys")  # a second run finds nothing left to do
    again = capsys.readouterr().out
    assert "trial.ParticipantIdentity: 0 re-encrypted" in again
    rows = AuditEntry.objects.filter(
        action=AuditAction.CONFIG_CHANGE, reason__startswith="field encryption keys rotated"
    )
    assert rows.filter(object_type="trial.ParticipantIdentity").count() == 2
