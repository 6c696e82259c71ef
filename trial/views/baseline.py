"""Baseline case-report forms (sociodemographics, medical history) and visit records.
Questionnaires, the LSIQ included, use the generic page in ``outcomes.instruments.views``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.forms.journey import MedicalHistoryForm, SociodemographicsForm, VisitRecordForm
from trial.models import MedicalHistory, Participant, Sociodemographics, VisitRecord
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.services.baseline import save_medical_history, save_sociodemographics
from trial.services.visits import missing_forms, record_visit
from trial.views.helpers import (
    participant_or_404,
    participant_url,
    reason,
    record_page,
    save_or_explain,
)


def _form_page(
    request: HttpRequest, form: object, participant: Participant, title: str
) -> HttpResponse:
    return record_page(request, form, participant, title, participant_url(participant))  # type: ignore[arg-type]


def _baseline_crf(
    request: HttpRequest,
    study_id: str,
    model: type[Sociodemographics | MedicalHistory],
    form_class: type[SociodemographicsForm | MedicalHistoryForm],
    save: Callable[..., Sociodemographics | MedicalHistory],
    title: str,
) -> HttpResponse:
    """One baseline case-report form: create or correct, derived values computed by ``save``."""
    participant = participant_or_404(study_id)
    form = form_class(
        request.POST or None, instance=model.objects.filter(participant=participant).first()
    )
    if request.method == "POST" and form.is_valid():
        saved = save_or_explain(
            form, lambda: save(form.save(commit=False), participant, request.user, reason(form))
        )
        if saved is not None:
            messages.success(request, _("%(form)s saved.") % {"form": title})
            return redirect(participant_url(participant))
    return _form_page(request, form, participant, title)


@requires("trial.enter_visit_data")
def sociodemographics_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    """Age comes from the encrypted date of birth, BMI from height and weight."""
    return _baseline_crf(
        request,
        study_id,
        Sociodemographics,
        SociodemographicsForm,
        save_sociodemographics,
        _("Sociodemographic questionnaire"),
    )


@requires("trial.enter_visit_data")
def medical_history_edit(request: HttpRequest, study_id: str) -> HttpResponse:
    return _baseline_crf(
        request,
        study_id,
        MedicalHistory,
        MedicalHistoryForm,
        save_medical_history,
        _("Medical history"),
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
            **{
                VisitRecordForm.NOT_DONE_PREFIX + code: why
                for code, why in existing.forms_not_done.items()
            },
        }
        if existing
        else {"outcome": VisitOutcome.DONE}
    )
    missing = missing_forms(participant, visit_code)
    form = VisitRecordForm(request.POST or None, initial=initial, missing=missing)
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
                forms_not_done=form.forms_not_done(),
            ),
        )
        if saved is not None:
            messages.success(request, _("%(visit)s recorded.") % {"visit": visit.label})
            return redirect(participant_url(participant))
    return _form_page(request, form, participant, visit.label)
