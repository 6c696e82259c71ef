"""The PI's page of one participant's randomisation preconditions, with waivers."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from randomization.exceptions import RandomisationError
from randomization.models import PreconditionWaiver
from randomization.services import missing_preconditions, waive_precondition
from trial.access.policy import requires
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.views.helpers import participant_or_404


@requires("trial.override_eligibility", "trial.view_participants")
def precondition_waivers(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if request.method == "POST":
        try:
            waive_precondition(
                participant, request.POST.get("form", ""), request.user,
                request.POST.get("reason", ""),
            )  # fmt: skip
        except RandomisationError as refusal:
            messages.error(request, public_message(refusal))
        else:
            messages.success(request, _("Waiver recorded."))
        return redirect("randomization:precondition_waivers", study_id=participant.study_id)
    missing = {p.form for p in missing_preconditions(participant)}
    waivers = {
        w.form_code: w
        for w in PreconditionWaiver.objects.filter(participant=participant).select_related(
            "waived_by"
        )
    }
    rows = [
        (p, waivers.get(p.form), p.form in missing) for p in PROTOCOL.randomisation_preconditions
    ]
    return render(
        request,
        "randomization/precondition_waivers.html",
        {"participant": participant, "rows": rows},
    )
