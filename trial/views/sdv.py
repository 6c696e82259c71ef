"""The monitor's source-data verification page for one participant."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.exceptions import JourneyError
from trial.handlers import forms_done
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.selectors.journeys import hidden_forms_for
from trial.services.sdv import SdvState, sdv_status, verify
from trial.views.helpers import participant_or_404


@requires("trial.verify_source", "trial.view_participants")
def source_verification(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if request.method == "POST":
        visit, form = request.POST.get("visit", ""), request.POST.get("form", "")
        if form in hidden_forms_for(request.user) or visit not in PROTOCOL.visits_with(form):
            messages.error(request, _("No such form at this visit."))
        else:
            try:
                verify(request.user, participant, visit, form)
            except JourneyError as refusal:
                messages.error(request, public_message(refusal))
            else:
                messages.success(request, _("Marked as verified against source."))
        return redirect("source_verification", study_id=participant.study_id)
    hidden = hidden_forms_for(request.user)
    done = forms_done([participant.pk]).get(participant.pk, set())
    rows = [row for row in sdv_status(participant, done) if row.form not in hidden]
    verified = sum(row.state is SdvState.VERIFIED for row in rows)
    return render(
        request,
        "trial/sdv.html",
        {
            "participant": participant,
            "rows": rows,
            "verified": verified,
            "labels": {visit.code: visit.label for visit in PROTOCOL.visits},
        },
    )
