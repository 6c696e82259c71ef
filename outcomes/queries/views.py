"""Data-query pages: the data manager raises and closes; the enterer answers."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outcomes.exceptions import QueryRefused
from outcomes.queries.services import (
    answer_query,
    close_query,
    fields_of,
    queryable_forms,
    raise_query,
    reopen_query,
)
from trial.access.policy import requires
from trial.models.queries import DataQuery, QueryStatus
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.selectors.journeys import hidden_forms_for
from trial.services.text_review import blinded_copy
from trial.views.helpers import participant_or_404


class RaiseQueryForm(forms.Form):
    visit_code = forms.ChoiceField(label=gettext_lazy("Visit"))
    form_code = forms.ChoiceField(label=gettext_lazy("Form"))
    field_name = forms.CharField(label=gettext_lazy("Field"), max_length=64)
    question = forms.CharField(
        label=gettext_lazy("Question"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        visits = [v for v in PROTOCOL.visits if queryable_forms(v.code)]
        self.fields["visit_code"].choices = [(v.code, v.label) for v in visits]  # type: ignore[attr-defined]
        codes = sorted({code for v in visits for code in queryable_forms(v.code)})
        self.fields["form_code"].choices = [(c, PROTOCOL.form(c).label) for c in codes]  # type: ignore[attr-defined]
        self.field_catalogue = {code: fields_of(code) for code in codes}


@requires("trial.manage_queries")
def query_raise(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    form = RaiseQueryForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raise_query(
                participant,
                data["visit_code"],
                data["form_code"],
                data["field_name"],
                data["question"],
                request.user,
            )
        except QueryRefused as refusal:
            form.add_error(None, public_message(refusal))
        else:
            messages.success(request, _("Query raised."))
            return redirect("participant_detail", participant.study_id)
    return render(request, "outcomes/query_raise.html", {"form": form, "participant": participant})


def _visible_queries(request: HttpRequest):
    user = request.user
    queries = DataQuery.objects.select_related(
        "participant", "raised_by", "assigned_to", "answered_by"
    ).exclude(form_code__in=hidden_forms_for(user))
    if user.has_perm("trial.manage_queries"):
        return queries.exclude(status=QueryStatus.CLOSED)
    return queries.filter(status=QueryStatus.OPEN).filter(
        Q(assigned_to=user) | Q(assigned_to__isnull=True)
    )


@requires("trial.view_participants")
def query_list(request: HttpRequest) -> HttpResponse:
    """Open and answered queries (data manager), or the queries waiting for my answer."""
    user = request.user
    if not (user.has_perm("trial.manage_queries") or user.has_perm("trial.answer_queries")):
        raise PermissionDenied
    return render(
        request,
        "outcomes/query_list.html",
        {"queries": blinded_copy(user, list(_visible_queries(request).order_by("raised_at")))},
    )


def _act(
    request: HttpRequest, pk: int, action: Callable[[DataQuery, str], DataQuery], done: str
) -> HttpResponse:
    query = get_object_or_404(_visible_queries(request), pk=pk)
    try:
        action(query, request.POST.get("text", ""))
    except QueryRefused as refusal:
        messages.error(request, public_message(refusal))
    else:
        messages.success(request, done)
    return redirect("outcomes:query_list")


@require_POST
@requires("trial.answer_queries")
def query_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q, t: answer_query(q, t, request.user), _("Answer sent."))


@require_POST
@requires("trial.manage_queries")
def query_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q, t: close_query(q, t, request.user), _("Query closed."))


@require_POST
@requires("trial.manage_queries")
def query_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda q, t: reopen_query(q, t, request.user), _("Query sent back."))
