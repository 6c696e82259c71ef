"""Model fields stored as Fernet tokens: the database and its backups never hold the plain value.

Encrypted values cannot be searched or sorted in SQL; identity lookups go through the study ID.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from trial.crypto.keys import decrypt, encrypt
from trial.widgets import DatePicker


class EncryptedTextField(models.TextField):
    """A text value encrypted at rest (empty string stays empty, so blank=True works)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value in (None, ""):
            return value
        return decrypt(value)


class EncryptedDateField(models.TextField):
    """A date encrypted at rest (stored as the token of its ISO form)."""

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> Any:
        value = self.to_python(value)
        return None if value is None else encrypt(value.isoformat())

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        return dt.date.fromisoformat(decrypt(value))

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super(models.TextField, self).formfield(
            **{
                "form_class": forms.DateField,
                "widget": DatePicker(),
                **kwargs,
            }
        )
