"""Pages of the blinding layer: emergency unblinding, database lock and trial unblinding, the
assessor's guess of the arm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from randomization.models import BlindingGuess, RequestStatus, UnblindingRequest
from randomization.selectors import blinding_index_rows, visible_arm
from randomization.unblinding import (
    UnblindingRefused,
    current_lock,
    decide_unblinding,
    lock_database,
    request_unblinding,
    unblind_trial,
    unlock_database,
)
from trial.access.policy import requires
from trial.handlers import permitted_url
from trial.lock_checklist import lock_checklist
from trial.redaction import public_message
from trial.services.signatures import (
    SignatureRefused,
    check_credentials,
    lock_signatures,
    signing_context,
)
from trial.views.helpers import participant_or_404, participant_url, record_page, save_or_explain
from trial.widgets import DatePicker


class UnblindingRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the arm must be known (clinical emergency)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class BlindingGuessForm(forms.ModelForm):
    class Meta:
        model = BlindingGuess
        fields = ["guess", "confidence", "guessed_on"]
        widgets = {
            "guess": forms.RadioSelect,
            "guessed_on": DatePicker(),
        }


@requires("trial.request_unblinding")
def unblinding_request(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    form = UnblindingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = save_or_explain(
            form, lambda: request_unblinding(participant, request.user, form.cleaned_data["reason"])
        )
        if saved is not None:
            messages.success(request, _("Request sent to the principal investigator."))
            return redirect("randomization:unblinding_request", study_id=participant.study_id)
    mine = UnblindingRequest.objects.filter(participant=participant, requested_by=request.user)
    arm = visible_arm(request.user, participant.pk)  # the selector records the reveal
    return render(
        request,
        "randomization/unblinding_request.html",
        {"participant": participant, "form": form, "requests": mine, "arm": arm},
    )


@requires("trial.approve_unblinding")
def unblinding_decisions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        pending = get_object_or_404(UnblindingRequest, pk=request.POST.get("request_id"))
        try:
            decide_unblinding(
                pending,
                request.user,
                request.POST.get("decision") == "approve",
                request.POST.get("note", ""),
            )
        except UnblindingRefused as refusal:
            messages.error(request, public_message(refusal))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("randomization:unblinding_decisions")
    requests = UnblindingRequest.objects.select_related("participant", "requested_by")
    return render(request, "randomization/unblinding_decisions.html", {"requests": requests})


def _lock_action(request: HttpRequest) -> str:
    """Run the posted lock, unlock or unblinding; returns the message for the reader."""
    action = request.POST.get("action")
    if action == "unlock":
        unlock_database(request.user, request.POST.get("reason", ""))
        return _("The database is unlocked.")
    proof = check_credentials(
        request, request.POST.get("password", ""), request.POST.get("otp_token", "")
    )
    if action == "unblind":
        unblind_trial(proof)
        return _("The trial is unblinded (signed).")
    waivers = {
        key.removeprefix("waive_"): value
        for key, value in request.POST.items()
        if key.startswith("waive_")
    }
    lock_database(proof, waivers)
    return _("The database is locked (signed).")


@requires("trial.lock_database")
def database_lock(request: HttpRequest) -> HttpResponse:
    """The lock as a procedure: the checklist (clear, or waived with a reason), then a signature;
    the trial unblinding after it, signed by the PI."""
    if request.method == "POST":
        try:
            message = _lock_action(request)
        except (UnblindingRefused, SignatureRefused) as refusal:
            messages.error(request, public_message(refusal))
        else:
            messages.success(request, message)
        return redirect("randomization:database_lock")
    lock = current_lock()
    approved = UnblindingRequest.objects.filter(status=RequestStatus.APPROVED)
    checklist = [] if lock is not None and lock.is_locked else lock_checklist()
    context: dict[str, object] = {
        "lock": lock,
        "emergency_count": approved.count(),
        "checklist": [
            (item, permitted_url(request.user, item.url_name) if item.url_name else "")
            for item in checklist
        ],
        "lock_signatures": lock_signatures(),
        "may_unblind": request.user.has_perm("trial.approve_unblinding"),
        **signing_context(request.user),
    }
    context["blinding_index"] = blinding_index_rows(request.user)
    return render(request, "randomization/database_lock.html", context)


@requires("trial.enter_outcomes")
def blinding_guess(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    existing = BlindingGuess.objects.filter(participant=participant).first()
    form = BlindingGuessForm(
        request.POST or None,
        instance=existing,
        initial=None if existing else {"guessed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        if existing is not None:
            form.add_error(None, _("The guess is recorded once and not changed."))
        else:
            guess = form.save(commit=False)
            guess.participant, guess.assessor = participant, request.user
            guess.save()
            messages.success(request, _("Guess recorded."))
            return redirect(participant_url(participant))
    return record_page(
        request,
        form,
        participant,
        _("Assessor's guess of the arm (week 16)"),
        participant_url(participant),
    )
