"""The statistician's allocation-list page: upload (validated, sealed) and supply per stratum."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from randomization.forms import AllocationListUploadForm
from randomization.importing import InvalidAllocationList, import_list
from randomization.listfile import sha256
from randomization.models import AllocationList
from randomization.selectors import stratum_supply, visible_arm
from randomization.services import randomise
from trial.access.policy import requires
from trial.exceptions import JourneyError
from trial.redaction import public_message
from trial.views.helpers import participant_or_404


@requires("trial.manage_allocation_list")
def allocation_lists(request: HttpRequest) -> HttpResponse:
    form = AllocationListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content = data["file"]
        if data["sha256"] and data["sha256"].lower() != sha256(content):
            form.add_error("sha256", _("The file does not match this SHA-256."))
        else:
            try:
                imported = import_list(content, data["name"], data["environment"], request.user)
            except InvalidAllocationList as refusal:
                form.add_error("file", public_message(refusal))
            else:
                messages.success(
                    request,
                    _("Imported %(n)d sealed slots (SHA-256 %(hash)s).")
                    % {"n": imported.slots.count(), "hash": imported.sha256},
                )
                return redirect("randomization:allocation_lists")
    return render(
        request,
        "randomization/lists.html",
        {
            "form": form,
            "lists": AllocationList.objects.order_by("-imported_at"),
            "supply": stratum_supply(),
        },
    )


@requires("trial.randomise")
def randomise_view(request: HttpRequest, study_id: str) -> HttpResponse:
    """GET shows what will happen; POST randomises (idempotent) and shows the arm."""
    participant = participant_or_404(study_id)
    error = None
    if request.method == "POST":
        try:
            randomise(participant, request.user)
        except JourneyError as refusal:
            error = public_message(refusal)
        else:
            participant.refresh_from_db()
            arm = visible_arm(request.user, participant.pk)
            messages.success(
                request,
                _("%(id)s is randomised to %(arm)s.")
                % {"id": participant.study_id, "arm": arm.label if arm else "?"},
            )
            return redirect("session_log", study_id=participant.study_id, number=1)
    return render(
        request,
        "trial/randomise.html",
        {
            "participant": participant,
            "error": error,
            "arm": visible_arm(request.user, participant.pk),
        },
    )
