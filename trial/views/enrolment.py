"""Eligibility, MRI safety, PI override, enrolment with consent, identity, schedule and exit."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.forms.journey import (
    ConsentForm,
    EligibilityForm,
    EnrolmentForm,
    ExitForm,
    IdentityForm,
    MriSafetyForm,
    OverrideForm,
    ScheduleForm,
)
from trial.handlers import permitted_url
from trial.models import EligibilityAssessment, MriSafety, Participant, ScreeningEntry, StudyExit
from trial.redaction import public_message
from trial.services import eligibility as eligibility_service
from trial.services.enrolment import Consent, Identity, enrol
from trial.services.safety import record_exit
from trial.services.signatures import SignatureRefused, check_credentials, sign_override
from trial.views.helpers import (
    participant_or_404,
    participant_url,
    reason,
    record_page,
    save_or_explain,
)


def _screening(pk: int) -> ScreeningEntry:
    return get_object_or_404(ScreeningEntry, pk=pk)


@requires("trial.screen_participants")
def eligibility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _screening(pk)
    assessment = EligibilityAssessment.objects.filter(screening=screening).first()
    form = EligibilityForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        save = partial(
            eligibility_service.save_facts, form.save(commit=False), screening, reason(form)
        )
        if save_or_explain(form, save) is not None:
            messages.success(request, _("Eligibility saved and evaluated."))
            return redirect("eligibility_edit", pk=screening.pk)
    result = eligibility_service.evaluate_screening(screening)
    return render(
        request,
        "trial/eligibility.html",
        {"form": form, "screening": screening, "result": result, "assessment": assessment},
    )


def _mri_safety_page(request: HttpRequest, screening: ScreeningEntry, back: str) -> HttpResponse:
    safety = MriSafety.objects.filter(screening=screening).first()
    form = MriSafetyForm(request.POST or None, instance=safety)
    if request.method == "POST" and form.is_valid():
        save = partial(
            eligibility_service.save_facts, form.save(commit=False), screening, reason(form)
        )
        if save_or_explain(form, save) is not None:
            messages.success(request, _("MRI safety questionnaire saved."))
            return redirect(back)
    return record_page(request, form, screening, _("MRI safety questionnaire"), back)


@requires("trial.screen_participants")
def screening_mri_safety(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _screening(pk)
    return _mri_safety_page(request, screening, reverse("eligibility_edit", args=[pk]))


@requires("trial.enter_visit_data")
def baseline_mri_safety(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    return _mri_safety_page(request, participant.screening, participant_url(participant))


@requires("trial.override_eligibility")
def eligibility_override(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _screening(pk)
    form = OverrideForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proof = check_credentials(request, data["password"], data["otp_token"])
        except SignatureRefused as refusal:
            form.add_error("password", public_message(refusal))
        else:
            done = save_or_explain(
                form, lambda: sign_override(proof, screening, data["reason"]) or True
            )
    # The PI overrides from their home; the screening form is the coordinator's page, so the
    # way back is the screening form only for a reader it lets in.
    back = permitted_url(request.user, "eligibility_edit", screening.pk) or reverse("home")
    if request.method == "POST" and done:
        messages.success(request, _("Override recorded; the person may now be enrolled."))
        return redirect(back)
    return record_page(request, form, screening, _("Override eligibility"), back)


@requires("trial.enrol_participants")
def enrol_view(request: HttpRequest, pk: int) -> HttpResponse:
    screening = _screening(pk)
    enrolled = Participant.objects.filter(screening=screening).first()
    if enrolled is not None:  # a second click, or a reload: land on the result
        messages.info(request, _("Enrolled as %(id)s.") % {"id": enrolled.study_id})
        return redirect(participant_url(enrolled))
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = save_or_explain(
            form,
            lambda: enrol(
                screening,
                Consent(data["consent_version"], data["consent_language"], data["consent_date"]),
                Identity(
                    data["first_name"],
                    data["last_name"],
                    data["date_of_birth"],
                    data["email"],
                    data["phone"],
                    data["address"],
                ),
                request.user,
            ),
        )
        if participant is not None:
            messages.success(request, _("Enrolled as %(id)s.") % {"id": participant.study_id})
            return redirect(participant_url(participant))
    return record_page(
        request,
        form,
        screening,
        _("Enrol and record consent"),
        reverse("eligibility_edit", args=[screening.pk]),
    )


@requires("trial.enrol_participants")
def consent_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    form = ConsentForm(request.POST or None, instance=participant)
    return _edit(request, form, participant, _("Consent"))


@requires("trial.enrol_participants", "trial.view_identifiers")
def identity_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    form = IdentityForm(request.POST or None, instance=participant.identity)
    return _edit(request, form, participant, _("Identifying data"))


@requires("trial.enrol_participants")
def schedule_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    form = ScheduleForm(request.POST or None, instance=participant)
    return _edit(request, form, participant, _("Session 1 date"))


@requires("trial.enrol_participants")
def exit_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    existing = StudyExit.objects.filter(participant=participant).first()
    form = ExitForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = save_or_explain(
            form,
            lambda: record_exit(
                participant.pk,
                request.user,
                kind=data["kind"],
                exit_on=data["exit_on"],
                reason=data["reason"],
                data_use=data["data_use"],
                notes=data["notes"],
                change_reason=reason(form),
            ),
        )
        if saved is not None:
            messages.success(request, _("Study exit recorded."))
            return redirect(participant_url(participant))
    return _page(request, form, participant, _("Withdrawal, loss to follow-up or discontinuation"))


def _edit(request: HttpRequest, form: object, participant: object, title: str) -> HttpResponse:
    posted = request.method == "POST" and form.is_valid()  # type: ignore[attr-defined]
    if posted and save_or_explain(form, form.save_with_reason) is not None:  # type: ignore[attr-defined,arg-type]
        messages.success(request, _("Saved."))
        return redirect(participant_url(participant))
    return _page(request, form, participant, title)


def _page(request: HttpRequest, form: object, participant: object, title: str) -> HttpResponse:
    return record_page(request, form, participant, title, participant_url(participant))  # type: ignore[arg-type]
