"""The PI's sign-off of one participant's visits (21 CFR Part 11 electronic signatures)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.services.signatures import (
    ELIGIBILITY_ROW,
    SignatureRefused,
    sign_eligibility,
    sign_visit,
    signing_context,
    visit_sign_offs,
)
from trial.views.helpers import participant_or_404


@requires("trial.sign_records", "trial.view_participants")
def visit_sign_off(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if request.method == "POST":
        visit = request.POST.get("visit", "")
        password, otp = request.POST.get("password", ""), request.POST.get("otp_token", "")
        if visit != ELIGIBILITY_ROW and visit not in {v.code for v in PROTOCOL.visits}:
            messages.error(request, _("No such visit."))
        else:
            try:
                if visit == ELIGIBILITY_ROW:
                    sign_eligibility(request, participant, password, otp)
                else:
                    sign_visit(request, participant, visit, password, otp)
            except SignatureRefused as refusal:
                messages.error(request, public_message(refusal))
            else:
                messages.success(request, _("Signed."))
        return redirect("visit_sign_off", study_id=participant.study_id)
    return render(
        request,
        "trial/sign_off.html",
        {
            "participant": participant,
            "rows": visit_sign_offs(participant),
            **signing_context(request.user),
        },
    )
