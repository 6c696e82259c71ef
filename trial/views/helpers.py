"""Small helpers shared by the journey views."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from trial.audit.exceptions import ReasonRequired
from trial.exceptions import JourneyError
from trial.models import Participant
from trial.redaction import public_message

T = TypeVar("T")


def participant_or_404(study_id: str) -> Participant:
    return get_object_or_404(Participant.objects.select_related("screening"), study_id=study_id)


def save_or_explain(form: forms.BaseForm, action: Callable[[], T]) -> T | None:
    """Run a service; a refused business rule becomes a form error and nothing is saved."""
    try:
        with transaction.atomic():
            return action()
    except (JourneyError, ReasonRequired, ValueError) as refusal:
        form.add_error(None, public_message(refusal))
        return None


def reason(form: forms.BaseForm) -> str:
    data: dict[str, Any] = form.cleaned_data
    return data.get("reason_for_change", "") or ""


def participant_url(participant: Participant) -> str:
    return reverse("participant_detail", args=[participant.study_id])


def record_page(
    request: HttpRequest, form: forms.BaseForm, subject: object, title: str, back: str
) -> HttpResponse:
    """The shared one-form page (title, form, Save, Cancel back to ``back``)."""
    return render(
        request,
        "trial/record_form.html",
        {"form": form, "title": title, "subject": subject, "back": back},
    )


def paged(
    request: HttpRequest, items: Sequence, per_page: int, kept: dict[str, str]
) -> dict[str, Any]:
    """One page of ``items`` (a list, or a queryset: then only the page is fetched) for
    ``_pagination.html``: the page, and the filters the page links keep (those with a value)."""
    from urllib.parse import urlencode

    from django.core.paginator import Paginator

    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    return {"page": page, "keep": urlencode({k: v for k, v in kept.items() if v})}
