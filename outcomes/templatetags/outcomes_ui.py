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


DEVICE_PAGES = {"medx": "medx_entry", "actigraphy": "actigraphy", "mri": "imaging_visit"}


@register.simple_tag(takes_context=True)
def device_link(context: template.Context, study_id: str, visit_code: str, form: str) -> str:
    """The page of a device form (MedX entry, actigraphy week) or "" when there is none."""
    user = context["request"].user
    if form not in DEVICE_PAGES or visit_code not in ("baseline", "week16"):
        return ""
    if form == "medx" and not (
        user.has_perm("trial.enter_visit_data") or user.has_perm("trial.enter_outcomes")
    ):
        return ""
    return reverse(DEVICE_PAGES[form], args=[study_id, visit_code])
