"""The therapist's pages: log sessions, report adverse events (randomising: ``randomization``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trial.access.policy import requires
from trial.forms.journey import AdverseEventForm
from trial.forms.sessions import ExerciseFormSet, SessionForm, exercise_initial
from trial.models import AdverseEvent, TrainingSession
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.services.sessions import log_session, planned_date, previous_session, template_for
from trial.services.signatures import (
    SignatureRefused,
    check_credentials,
    sign_serious_event_review,
)
from trial.services.text_review import note_saved, shown_text
from trial.views.helpers import (
    participant_or_404,
    participant_url,
    reason,
    record_page,
    save_or_explain,
)


@requires("trial.log_sessions", "trial.view_session_log")
def session_log(request: HttpRequest, study_id: str, number: int) -> HttpResponse:
    participant = participant_or_404(study_id)
    if not 1 <= number <= PROTOCOL.sessions.total:
        raise Http404
    if not participant.is_randomised:
        return redirect("randomization:randomise", study_id=participant.study_id)
    template = template_for(participant, number)
    existing = TrainingSession.objects.filter(participant=participant, number=number).first()
    logged = list(existing.exercises.all()) if existing else []
    carried_from = None if existing else previous_session(participant, number, template.code)
    if carried_from is not None:
        logged = list(carried_from.exercises.all())
    initial = (
        {
            "session_date": existing.session_date,
            "attendance": existing.attendance,
            "missed_reason": existing.missed_reason,
            "duration_minutes": existing.duration_minutes,
            "notes": existing.notes,
        }
        if existing
        else {"session_date": planned_date(participant, number)}
    )
    form = SessionForm(request.POST or None, initial=initial)
    if existing is None:
        del form.fields["reason_for_change"]
    formset = ExerciseFormSet(
        request.POST or None,
        initial=exercise_initial(template, logged, carried=carried_from is not None),
        prefix="ex",
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        done = [row.done() for row in formset.forms]
        saved = save_or_explain(
            form,
            lambda: log_session(
                participant,
                number,
                request.user,
                session_date=data["session_date"],
                attendance=data["attendance"],
                missed_reason=data["missed_reason"],
                duration_minutes=data["duration_minutes"],
                notes=data["notes"],
                exercises=[d for d in done if d is not None],
                reason=reason(form),
            ),
        )
        if saved is not None:
            messages.success(request, _("Session %(n)d saved.") % {"n": number})
            return redirect(participant_url(participant))
    units = {e.code: e for e in template.exercises}
    return render(
        request,
        "trial/session_form.html",
        {
            "participant": participant,
            "number": number,
            "total": PROTOCOL.sessions.total,
            "week": PROTOCOL.sessions.week_of(number),
            "template": template,
            "form": form,
            "formset": formset,
            "units": units,
            "existing": existing,
            "carried_from": carried_from,
        },
    )


@requires("trial.report_adverse_events")
def adverse_event_edit(
    request: HttpRequest, study_id: str, event_id: int | None = None
) -> HttpResponse:
    participant = participant_or_404(study_id)
    event = (
        get_object_or_404(AdverseEvent, pk=event_id, participant=participant) if event_id else None
    )
    shown = shown_text(request.user, event, "description") if event else ""
    form = AdverseEventForm(
        request.POST or None, instance=event, author=request.user, shown_description=shown
    )
    if request.method == "POST" and form.is_valid():

        def save() -> AdverseEvent:
            record = form.save(commit=False)
            record.participant = participant
            if record.reported_by_id is None:
                record.reported_by = request.user
            record.save(reason=reason(form))
            note_saved(record, request.user)
            return record

        if save_or_explain(form, save) is not None:
            messages.success(request, _("Adverse event saved."))
            return redirect(participant_url(participant))
    if "description" not in form.fields:
        messages.info(request, _("Description (under blinding review): %(text)s") % {"text": shown})
    return record_page(request, form, participant, _("Adverse event"), participant_url(participant))


@require_POST
@requires("trial.review_serious_events")
def acknowledge_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(AdverseEvent, pk=event_id)
    try:
        proof = check_credentials(
            request, request.POST.get("password", ""), request.POST.get("otp_token", "")
        )
        sign_serious_event_review(proof, event)
    except PermissionError as refusal:
        raise PermissionDenied from refusal
    except SignatureRefused as refusal:
        messages.error(request, public_message(refusal))
        return redirect("home")
    messages.success(request, _("Serious adverse event reviewed and signed."))
    return redirect("home")
