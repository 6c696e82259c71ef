"""Template helpers for questionnaire links (shown only to those who may enter them)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from outcomes.instruments import DEFINITIONS
from outcomes.policy import may_enter

register = template.Library()


@register.simple_tag(takes_context=True)
def instrument_link(context: template.Context, study_id: str, visit_code: str, form: str) -> str:
    """The entry page of a questionnaire for the signed-in user, or "" when not permitted."""
    user = context["request"].user
    if form not in DEFINITIONS or not may_enter(user, visit_code, form):
        return ""
    return reverse("instrument_entry", args=[study_id, visit_code, form])
