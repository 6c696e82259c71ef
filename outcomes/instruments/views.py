"""Questionnaire pages: one generic entry page for every instrument and the blind second entry
of the primary outcome."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from outcomes.exceptions import NeedsConfirmation
from outcomes.instruments import DEFINITIONS, InvalidResponse
from outcomes.instruments.base import Instrument
from outcomes.instruments.double_entry import enter_second
from outcomes.instruments.forms import InstrumentForm, SecondEntryForm
from outcomes.instruments.policy import may_double_enter, may_enter
from outcomes.instruments.presentation import score_lines
from outcomes.instruments.services import save_instrument_response
from outcomes.models import InstrumentResponse, Verification
from trial.access.policy import requires
from trial.models import Participant
from trial.protocol import PROTOCOL
from trial.views.helpers import participant_or_404, participant_url, reason, save_or_explain


def _page_subject(study_id: str, visit_code: str, instrument: str) -> tuple:
    participant = participant_or_404(study_id)
    try:
        visit = PROTOCOL.visit(visit_code)
        definition = DEFINITIONS[instrument]
    except KeyError:
        raise Http404 from None
    if instrument not in visit.forms:
        raise Http404
    return participant, visit, definition


def instrument_url(participant: Participant, visit_code: str, instrument: str) -> str:
    return reverse("outcomes:instrument_entry", args=[participant.study_id, visit_code, instrument])


def _next_questionnaire(user: object, participant: Participant, visit: object, current: str) -> str:
    """The visit's next questionnaire (in the protocol's order) that this user may enter and that
    is not yet done, after ``current`` and then from the start; the participant page when none."""
    done = set(
        InstrumentResponse.objects.filter(
            participant=participant, visit_code=visit.code
        ).values_list("instrument", flat=True)
    )
    forms = [f for f in visit.forms if f in DEFINITIONS]
    after = forms.index(current) + 1 if current in forms else 0
    for name in [*forms[after:], *forms[:after]]:
        if name not in done and may_enter(user, visit.code, name):
            return instrument_url(participant, visit.code, name)
    return participant_url(participant)


def _same_sitting(participant: Participant, visit_code: str) -> object:
    """The date of the last questionnaire entered at this visit: the next one of the sitting is
    usually the same day (shown pre-filled, checked by the person saving; None for the first)."""
    return (
        InstrumentResponse.objects.filter(participant=participant, visit_code=visit_code)
        .order_by("-pk")
        .values_list("completed_on", flat=True)
        .first()
    )


@requires("trial.view_participants")
def instrument_entry(
    request: HttpRequest, study_id: str, visit_code: str, instrument: str
) -> HttpResponse:
    """Enter or correct a questionnaire; scored on save and shown with its version."""
    participant, visit, definition = _page_subject(study_id, visit_code, instrument)
    if not may_enter(request.user, visit_code, instrument):
        raise PermissionDenied
    existing = InstrumentResponse.objects.filter(
        participant=participant, visit_code=visit_code, instrument=instrument
    ).first()
    initial = (
        {"completed_on": existing.completed_on, **existing.responses}
        if existing
        else {"completed_on": _same_sitting(participant, visit_code)}
    )
    frozen = instrument == PROTOCOL.stratification.instrument and participant.is_randomised
    form = InstrumentForm(
        request.POST or None,
        initial=initial,
        instrument=definition,
        editing=existing is not None,
        reason_required=frozen,
    )
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_or_explain(
                form,
                lambda: _save(request, form, participant, visit_code, definition),
            )
        except NeedsConfirmation as pending:
            language = get_language() or "en"
            warnings = [warning.in_language(language) for warning in pending.warnings]
            saved = None
        if saved is not None:
            lines = "; ".join(f"{label} {value}" for label, value in score_lines(saved))
            if instrument == PROTOCOL.stratification.instrument and saved.total is not None:
                stratum = PROTOCOL.stratification.stratum_for(saved.total)
                lines += "; " + _("stratum: %(stratum)s") % {
                    "stratum": PROTOCOL.stratum_label(stratum)
                }
            messages.success(
                request,
                _("%(form)s saved (%(version)s): %(scores)s")
                % {
                    "form": definition.title.in_language(get_language() or "en"),
                    "version": saved.scoring_version,
                    "scores": lines,
                },
            )
            if "save_next" in request.POST:
                return redirect(_next_questionnaire(request.user, participant, visit, instrument))
            return redirect(instrument_url(participant, visit_code, instrument))
    return render(
        request,
        "outcomes/instrument_form.html",
        {
            "form": form,
            "participant": participant,
            "visit": visit,
            "definition": definition,
            "existing": existing,
            "scores": score_lines(existing) if existing else [],
            "warnings": warnings,
            "frozen": frozen,
            "may_double_enter": existing is not None
            and existing.verification == Verification.PENDING
            and existing.entered_by_id != request.user.pk
            and may_double_enter(request.user, instrument),
        },
    )


def _save(
    request: HttpRequest,
    form: InstrumentForm,
    participant: Participant,
    visit_code: str,
    definition: Instrument,
) -> InstrumentResponse:
    try:
        return save_instrument_response(
            participant,
            visit_code,
            definition.name,
            form.responses(),
            form.cleaned_data["completed_on"],
            request.user,
            reason=reason(form),
            confirmed=form.cleaned_data.get("confirm_warnings", False),
        )
    except InvalidResponse as error:
        raise ValueError(str(error)) from error


@requires("trial.enter_outcomes")
def second_entry(
    request: HttpRequest, study_id: str, visit_code: str, instrument: str
) -> HttpResponse:
    """Blind re-entry of the primary outcome by a second person (the first answers never show)."""
    participant, visit, definition = _page_subject(study_id, visit_code, instrument)
    if not may_double_enter(request.user, instrument):
        raise Http404
    response = InstrumentResponse.objects.filter(
        participant=participant, visit_code=visit_code, instrument=instrument
    ).first()
    if response is None:
        raise Http404
    form = SecondEntryForm(request.POST or None, instrument=definition)
    if request.method == "POST" and form.is_valid():
        queries = save_or_explain(
            form, lambda: enter_second(response, form.responses(), request.user)
        )
        if queries is not None:
            if queries:
                messages.warning(
                    request,
                    ngettext(
                        "The entries differ on %(n)d item; a data query was raised.",
                        "The entries differ on %(n)d items; data queries were raised.",
                        len(queries),
                    )
                    % {"n": len(queries)},
                )
            else:
                messages.success(request, _("Second entry agrees: verified."))
            return redirect("participant_detail", participant.study_id)
    return render(
        request,
        "outcomes/second_entry.html",
        {"form": form, "participant": participant, "visit": visit, "definition": definition},
    )
