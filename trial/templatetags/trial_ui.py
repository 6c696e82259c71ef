"""Display helpers for trial pages (badges for states, encrypted audit values)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from trial.audit.recorder import ENCRYPTED_PREFIX

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
def state_badge(state: str) -> str:
    return _BADGES.get(str(state), "text-bg-light")


@register.filter
def state_label(state: str) -> str:
    return str(state).replace("_", " ")


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
