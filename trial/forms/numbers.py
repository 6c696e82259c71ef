"""Numbers typed as text, so the server sees exactly what was typed.

A browser's ``<input type="number">`` silently drops what is not part of a number: "4O" typed
as an age arrives as "4" and is saved. As text (with a numeric keyboard on tablets), "4O" reaches
the form field, which refuses it with a message.
"""

from __future__ import annotations

from typing import Any

from django import forms

_NUMBER_ATTRS = ("min", "max", "step")


class StrictNumberInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None, *, decimal: bool = False) -> None:
        kept = {k: v for k, v in (attrs or {}).items() if k not in _NUMBER_ATTRS}
        super().__init__({"inputmode": "decimal" if decimal else "numeric", **kept})


def strict_numbers(form: forms.BaseForm) -> None:
    """Swap every number widget of ``form`` for a ``StrictNumberInput``."""
    for field in form.fields.values():
        if isinstance(field, forms.IntegerField) and isinstance(field.widget, forms.NumberInput):
            decimal = isinstance(field, forms.DecimalField | forms.FloatField)
            field.widget = StrictNumberInput(field.widget.attrs, decimal=decimal)


class StrictNumbersMixin(forms.BaseForm):
    """Data-entry forms: numbers are parsed from what was typed, never from a browser's guess."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        strict_numbers(self)
