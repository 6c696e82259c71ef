"""Display helpers for trial pages (badges for states, encrypted audit values)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trial import state_labels as labels
from trial.audit.recorder import ENCRYPTED_PREFIX
from trial.protocol import PROTOCOL

register = template.Library()

_BADGES = {
    "done": "text-bg-success",
    "done_out_of_window": "text-bg-warning",
    "missed": "text-bg-secondary",
    "overdue": "text-bg-danger",
    "closing": "text-bg-warning",
    "open": "text-bg-primary",
    "upcoming": "text-bg-light",
    "not_scheduled": "text-bg-light",
    "not_invited": "text-bg-light",
    "ended": "text-bg-light",
}


@register.filter
def in_language(text: object) -> str:
    """A two-language text (an instrument's title or item) in the reader's language."""
    return text.in_language(get_language() or "en")  # type: ignore[attr-defined]


def _named(find: Callable[[str], object], code: str) -> str:
    """A protocol object's name in the reader's language; an unknown code is shown as is."""
    try:
        return str(find(code).label)  # type: ignore[attr-defined]
    except KeyError:
        return code


@register.filter
def visit_label(code: str) -> str:
    return _named(PROTOCOL.visit, code)


@register.filter
def form_label(code: str) -> str:
    return _named(PROTOCOL.form, code)


@register.filter
def state_badge(state: str) -> str:
    return _BADGES.get(str(state), "text-bg-light")


@register.filter
def state_label(state: str) -> str:
    return labels.state_label(state)


@register.filter
def audit_value(value: str | None) -> str:
    """Identifying values are kept encrypted in the trail; the page says so instead."""
    if value is None:
        return ""
    if value.startswith(ENCRYPTED_PREFIX):
        return _("(encrypted)")
    return value


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f} %"


@cache
def _model(label: str) -> object | None:
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


@register.filter
def audit_object(object_type: str) -> str:
    """ "trial.User" as "user", "outcomes.InstrumentResponse" as "questionnaire response"."""
    model = _model(object_type) if object_type else None
    return str(model._meta.verbose_name) if model is not None else object_type


@register.simple_tag
def audit_field(object_type: str, field: str) -> str:
    """A field's name as its form shows it ("consent_date" as "consent signed on"); a JSON
    key ("responses.odi_01") keeps its item code after the field's name."""
    model = _model(object_type) if object_type else None
    name, _dot, key = field.partition(".")
    if model is None or not name:
        return field
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return field
    return f"{label}: {key}" if key else label
