"""Baseline forms (sociodemographics, medical history, LSIQ) and visit records."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from outcomes.instruments import InvalidResponse
from outcomes.models import InstrumentResponse
from outcomes.services import save_instrument_response
from trial.access.policy import requires
from trial.forms.journey import MedicalHistoryForm, SociodemographicsForm, VisitRecordForm
from trial.forms.questionnaires import LsiqForm
from trial.models import MedicalHistory, Sociodemographics, VisitRecord
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.services.baseline import save_medical_history, save_sociodemographics
from trial.services.visits import record_visit
from trial.views.enrolment import participant_url
from trial.views.helpers import participant_or_404, reason, save_or_explain


def _form_page(request: HttpRequest, form: object, participant: object, title: str) -> HttpResponse:
    return render(
        request,
        "trial/record_form.html",
        {
            "form": form,
            "title": title,
            "subject": participant,
            "back": participant_url(participant),
        },
    )


@requires("trial.enter_visit_data")
def sociodemographics_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    existing = Sociodemographics.objects.filter(participant=participant).first()
    form = SociodemographicsForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        saved = save_or_explain(
            form,
            lambda: save_sociodemographics(
                form.save(commit=False), participant, request.user, reason(form)
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Saved: age %(age)s, BMI %(bmi)s.") % {"age": saved.age_years, "bmi": saved.bmi},
            )
            return redirect(participant_url(participant))
    return _form_page(request, form, participant, _("Sociodemographic questionnaire"))


@requires("trial.enter_visit_data")
def medical_history_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    existing = MedicalHistory.objects.filter(participant=participant).first()
    form = MedicalHistoryForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        saved = save_or_explain(
            form,
            lambda: save_medical_history(
                form.save(commit=False), participant, request.user, reason(form)
            ),
        )
        if saved is not None:
            messages.success(request, _("Medical history saved."))
            return redirect(participant_url(participant))
    return _form_page(request, form, participant, _("Medical history"))


@requires("trial.enter_visit_data", "trial.view_lsiq")
def lsiq_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    instrument = PROTOCOL.stratification.instrument
    existing = InstrumentResponse.objects.filter(
        participant=participant, visit_code="baseline", instrument=instrument
    ).first()
    initial = {"completed_on": existing.completed_on, **existing.responses} if existing else None
    form = LsiqForm(request.POST or None, initial=initial, frozen=participant.is_randomised)
    if existing is None:
        del form.fields["reason_for_change"]
    if request.method == "POST" and form.is_valid():

        def save() -> InstrumentResponse:
            try:
                return save_instrument_response(
                    participant,
                    "baseline",
                    instrument,
                    form.responses(),
                    form.cleaned_data["completed_on"],
                    request.user,
                    reason=reason(form),
                )
            except InvalidResponse as error:
                raise ValueError(str(error)) from error

        saved = save_or_explain(form, save)
        if saved is not None:
            stratum = (
                PROTOCOL.stratification.stratum_for(saved.total)
                if saved.total is not None
                else None
            )
            messages.success(
                request,
                _("LSIQ saved: score %(total)s, stratum %(stratum)s.")
                % {"total": f"{saved.total:g}", "stratum": stratum},
            )
            return redirect(participant_url(participant))
    return render(
        request,
        "trial/lsiq_form.html",
        {"form": form, "participant": participant, "existing": existing},
    )


@requires("trial.enter_visit_data")
def visit_record_edit(request: HttpRequest, study_id: str, visit_code: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    try:
        visit = PROTOCOL.visit(visit_code)
    except KeyError:
        raise Http404 from None
    existing = VisitRecord.objects.filter(participant=participant, visit_code=visit_code).first()
    initial = (
        {
            "outcome": existing.outcome,
            "done_on": existing.done_on,
            "out_of_window_reason": existing.out_of_window_reason,
            "missed_reason": existing.missed_reason,
        }
        if existing
        else {"outcome": VisitOutcome.DONE}
    )
    form = VisitRecordForm(request.POST or None, initial=initial)
    if existing is None:
        del form.fields["reason_for_change"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = data["outcome"] == VisitOutcome.DONE
        saved = save_or_explain(
            form,
            lambda: record_visit(
                participant,
                visit_code,
                request.user,
                done_on=data["done_on"] if done else None,
                missed_reason="" if done else data["missed_reason"],
                out_of_window_reason=data["out_of_window_reason"] if done else "",
                change_reason=reason(form),
            ),
        )
        if saved is not None:
            messages.success(request, _("%(visit)s recorded.") % {"visit": visit.label})
            return redirect(participant_url(participant))
    return _form_page(request, form, participant, visit.label)
