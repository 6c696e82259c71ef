"""Re-encrypt every protected field with the newest key (the first of FIELD_ENCRYPTION_KEYS).

Tokens are rewritten in the database directly, batch by batch in primary-key order: the plain
values never change, so no audited save is needed per row; one audit event per model records
how many were rewritten. A token that the newest key already opens is left alone, so a rotation
that stopped half-way is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from trial.crypto.fields import EncryptedDateField, EncryptedTextField
from trial.crypto.keys import fernet

BATCH = 500


@dataclass(frozen=True)
class Rotated:
    model: str
    rewritten: int
    already_current: int


def encrypted_columns() -> Iterator[tuple[type, list[str]]]:
    """Each model with encrypted fields, and those fields' database columns."""
    for model in apps.get_models():
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedDateField)
        ]
        if columns:
            yield model, columns


def _is_current(token: str, newest: Fernet) -> bool:
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate_model(model: type, columns: list[str]) -> Rotated:
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    every_key = fernet()
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    selected = ", ".join(quote(c) for c in [pk, *columns])
    rewritten = current = 0
    last = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            where = f"WHERE {quote(pk)} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {selected} FROM {quote(table)} {where}"  # noqa: S608 - names quoted
                f"ORDER BY {quote(pk)} LIMIT %s",
                [last, BATCH] if last is not None else [BATCH],
            )
            rows = cursor.fetchall()
            for row in rows:
                updates = {}
                for column, token in zip(columns, row[1:], strict=True):
                    if not token:
                        continue
                    if _is_current(token, newest):
                        current += 1
                        continue
                    updates[column] = every_key.rotate(token.encode()).decode()
                if updates:
                    assignments = ", ".join(f"{quote(c)} = %s" for c in updates)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} "  # noqa: S608 - names quoted
                        f"WHERE {quote(pk)} = %s",
                        [*updates.values(), row[0]],
                    )
                    rewritten += len(updates)
        if len(rows) < BATCH:
            break
        last = rows[-1][0]
    return Rotated(model._meta.label, rewritten, current)
