"""Small helpers shared by the journey views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import transaction
from django.shortcuts import get_object_or_404

from trial.audit.exceptions import ReasonRequired
from trial.exceptions import JourneyError
from trial.models import Participant

T = TypeVar("T")


def participant_or_404(study_id: str) -> Participant:
    return get_object_or_404(Participant.objects.select_related("screening"), study_id=study_id)


def save_or_explain(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run a service; a refused business rule becomes a form error and nothing is saved."""
    try:
        with transaction.atomic():
            return action()
    except (JourneyError, ReasonRequired, ValueError) as refusal:
        form.add_error(None, str(refusal))
        return None


def reason(form: forms.BaseForm) -> str:
    data: dict[str, Any] = form.cleaned_data
    return data.get("reason_for_change", "") or ""
