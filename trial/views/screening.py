"""The screening log pages for coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.forms import ScreeningEntryForm
from trial.models import ScreeningEntry


@requires("trial.screen_participants")
def screening_list(request: HttpRequest) -> HttpResponse:
    entries = ScreeningEntry.objects.select_related("participant")[:200]
    return render(request, "trial/screening_list.html", {"entries": entries})


@requires("trial.screen_participants")
def screening_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(ScreeningEntry, pk=pk) if pk else None
    form = ScreeningEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        saved = form.save_with_reason()
        messages.success(request, _("Saved %(code)s.") % {"code": saved.screening_code})
        return redirect("screening_edit", pk=saved.pk)  # the entry, with its next step offered
    return render(request, "trial/screening_form.html", {"form": form, "entry": entry})
