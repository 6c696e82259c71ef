"""Participant list, the participant page (whole timeline) and the CONSORT counts."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from interviews.selectors import invitation_counts
from outcomes.devices.selectors import pain_panel
from randomization.models import RequestStatus, UnblindingRequest
from trial.access.policy import requires
from trial.audit.recorder import record
from trial.handlers import permitted_url
from trial.models import AdverseEvent, DataQuery, Participant, TrainingSession
from trial.models.audit import AuditAction
from trial.models.participant import ExitReason
from trial.models.queries import QueryStatus
from trial.protocol import PROTOCOL
from trial.selectors.consort import trial_consort
from trial.selectors.journeys import (
    Stage,
    hidden_forms_for,
    journeys,
    participant_table,
    with_links,
)
from trial.services.signatures import live_signatures
from trial.services.text_review import blinded_copy
from trial.views.helpers import paged, participant_or_404

PARTICIPANTS_PER_PAGE = 50


@requires("trial.view_participants")
def participant_list(request: HttpRequest) -> HttpResponse:
    """Search by study ID, filter by stage, 50 a page (106 participants do not fit a screen)."""
    query = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    people = Participant.objects.all()
    if query:
        people = people.filter(study_id__icontains=query)
    table = participant_table(request.user, people, timezone.localdate())
    rows = [row for row in table.rows if not stage or row.stage == stage]
    pages = paged(request, rows, PARTICIPANTS_PER_PAGE, {"q": query, "stage": stage})
    return render(
        request,
        "trial/participant_list.html",
        {
            **pages,
            "table": replace(table, rows=list(pages["page"].object_list)),
            "matching": len(rows),
            "query": query,
            "stage": stage,
            "stages": [s.value for s in Stage],
        },
    )


@requires("trial.view_participants")
def participant_detail(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    user = request.user
    journey = with_links(user, journeys(user, [participant], timezone.localdate())[0])
    context: dict[str, object] = {"journey": journey, "participant": participant}
    if user.has_perm("trial.view_identifiers"):
        identity = getattr(participant, "identity", None)
        context["identity"] = identity
        if identity is not None:  # who looked at identifying data is itself on record
            record(
                AuditAction.VIEW_SENSITIVE,
                object_type=identity._meta.label,
                object_id=identity.pk,
                subject=participant.study_id,
            )
    if user.has_perm("trial.view_session_log"):
        context["sessions"] = list(
            TrainingSession.objects.filter(participant=participant).prefetch_related("exercises")
        )
        context["session_total"] = PROTOCOL.sessions.total
        # Link the logged sessions only for a reader the session page would let in.
        context["sessions_linked"] = bool(
            permitted_url(user, "session_log", participant.study_id, 1)
        )
    if user.has_perm("trial.view_adverse_events"):
        context["adverse_events"] = blinded_copy(
            user, list(AdverseEvent.objects.filter(participant=participant))
        )
    queries = DataQuery.objects.filter(participant=participant).exclude(status=QueryStatus.CLOSED)
    context["queries"] = blinded_copy(
        user, list(queries.exclude(form_code__in=hidden_forms_for(user)))
    )
    context["pain"] = pain_panel(participant)
    context["sdv_url"] = permitted_url(user, "source_verification", participant.study_id)
    context["locks_url"] = permitted_url(user, "record_locks", participant.study_id)
    context["sign_off_url"] = permitted_url(user, "visit_sign_off", participant.study_id)
    context["waivers_url"] = (
        permitted_url(user, "randomization:precondition_waivers", participant.study_id)
        if participant.randomized_on is None
        else ""
    )
    context["signatures"] = live_signatures(participant)
    return render(request, "trial/participant_detail.html", context)


CONSORT_ROWS = (
    ("allocated", _("Allocated")),
    ("received", _("Received allocated intervention")),
    ("did_not_receive", _("Did not receive it")),
    ("discontinued_intervention", _("Discontinued intervention")),
    ("withdrawn", _("Withdrew")),
    ("lost_to_follow_up", _("Lost to follow-up")),
    ("analysed", _("Analysed (week-16 ODI)")),
    ("not_analysed", _("Not analysed")),
)


@requires("trial.view_participants")
def consort(request: HttpRequest) -> HttpResponse:
    """Pooled counts for everyone; a column per arm only when the blinding layer allows."""
    counts = trial_consort(request.user)
    arms = PROTOCOL.arms if counts.by_arm is not None else ()
    rows = [
        (
            label,
            getattr(counts.pooled, name),
            [getattr(counts.by_arm[arm.code], name) for arm in arms] if counts.by_arm else [],
        )
        for name, label in CONSORT_ROWS
    ]
    labels = {c.code: c.label for c in PROTOCOL.criteria}
    excluded = [(labels.get(code, code), n) for code, n in counts.excluded_by_criterion.items()]
    reasons = dict(ExitReason.choices)
    exit_reasons = [(reasons.get(k, k), n) for k, n in counts.pooled.exit_reasons.items()]
    return render(
        request,
        "trial/consort.html",
        {
            "counts": counts,
            "arms": arms,
            "rows": rows,
            "excluded_by_criterion": excluded,
            "exit_reasons": exit_reasons,
            "interview_counts": invitation_counts(),
            "emergency_unblindings": UnblindingRequest.objects.filter(
                status=RequestStatus.APPROVED
            ).count(),
        },
    )


@requires("trial.view_participants")
def consort_diagram(request: HttpRequest, fmt: str) -> HttpResponse:
    """The live CONSORT diagram as SVG or PDF (pooled for blinded readers, per arm otherwise)."""
    from graphviz import ExecutableNotFound

    from trial.consort_diagram import consort_graph, render

    if fmt not in ("svg", "pdf"):
        raise Http404
    graph = consort_graph(
        trial_consort(request.user),
        {arm.code: str(arm.label) for arm in PROTOCOL.arms},
        {c.code: str(c.label) for c in PROTOCOL.criteria},
        dict(ExitReason.choices),
        gettext,
    )
    content_type = "image/svg+xml" if fmt == "svg" else "application/pdf"
    try:
        content = render(graph, fmt)
    except ExecutableNotFound:
        message = "The CONSORT diagram needs Graphviz on the server (apt-get install graphviz)."
        return HttpResponse(message, status=503, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="consort.{fmt}"'
    return response
