"""Browser date and time pickers. Their value is always ISO (what ``<input type="date">``
reads), whatever the page's language: a French page would otherwise fill them with 26/11/2026,
which the browser discards, showing an empty date on a saved record."""

from __future__ import annotations

from typing import Any

from django import forms


class DatePicker(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
