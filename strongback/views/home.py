"""Landing pages: ``/`` sends each user to their role's worklist."""

from __future__ import annotations

from collections.abc import Callable

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from randomization.selectors import stratum_supply
from trial.access.policy import requires, signed_in
from trial.handlers import permitted_url
from trial.models import ScreeningEntry, WorkerHeartbeat
from trial.models.screening import ScreeningOutcome
from trial.protocol import PROTOCOL
from trial.roles import Role, roles_of
from trial.selectors import worklists
from trial.selectors.audit import visible_audit_entries
from trial.services.text_review import blinded_copy
from trial.views.helpers import paged


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """Redirect to the primary role's home; a user with no role gets a clear refusal."""
    roles = roles_of(request.user)
    if not roles:
        raise PermissionDenied
    return redirect(roles[0].home)


def role_home_view(role: Role) -> Callable[[HttpRequest], HttpResponse]:
    """A distinct view per role, each guarded by that role's home permission."""

    @requires(f"trial.view_{role.code}_home")
    def role_home(request: HttpRequest) -> HttpResponse:
        return _render_role_home(request, role)

    role_home.__name__ = f"home_{role.code}"
    return role_home


WORK_GROUPS_PER_PAGE = 25


def _worklist_page(request: HttpRequest, worklist: worklists.Worklist) -> dict[str, object]:
    """The worklist grouped by participant, filtered by kind and study ID, 25 people a page."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in worklist.kinds else ""
    query = request.GET.get("q", "").strip()
    groups = worklist.groups(kind, query)
    pages = paged(request, groups, WORK_GROUPS_PER_PAGE, {"kind": kind, "q": query})
    return {
        **pages,
        "worklist": worklist,
        "work_groups": pages["page"].object_list,
        "work_matching": len(groups),
        "work_kind": kind,
        "work_query": query,
    }


def _render_role_home(request: HttpRequest, role: Role) -> HttpResponse:
    context: dict[str, object] = {"role": role, "today": timezone.localdate()}
    if request.user.has_perm("trial.screen_participants"):
        context["pending_screening"] = ScreeningEntry.objects.filter(
            outcome=ScreeningOutcome.PENDING
        ).order_by("screened_on")[:50]
    today = context["today"]
    worklist = worklists.worklist_for(role.code, request.user, today)
    if worklist is not None:
        context.update(_worklist_page(request, worklist))
    if request.user.has_perm("trial.review_imaging"):
        from imaging.selectors import qc_counts

        context["imaging_qc"] = qc_counts()
    if request.user.has_perm("trial.manage_allocation_list") or request.user.has_perm(
        "trial.view_pi_home"
    ):
        context["slot_supply"] = stratum_supply()
    if request.user.has_perm("trial.override_eligibility"):
        context["excluded_screenings"] = ScreeningEntry.objects.filter(
            outcome=ScreeningOutcome.NOT_ELIGIBLE, participant__isnull=True
        ).select_related("eligibility")[:20]
    if request.user.has_perm("trial.review_serious_events"):
        from trial.services.signatures import signing_context

        context.update(signing_context(request.user))
        context["serious_events"] = blinded_copy(
            request.user, list(worklists.serious_events_to_review())
        )
    if analysis_url := permitted_url(request.user, "outcomes:analysis"):
        from outcomes.analysis.labelled import FORMATS
        from outcomes.analysis.models import AnalysisRun

        dataset = permitted_url(request.user, "outcomes:analysis_dataset")
        context["analysis"] = {
            "page": analysis_url,
            "downloads": [(label, f"{dataset}?format={code}") for code, label in FORMATS.items()],
            "latest": AnalysisRun.objects.filter(user=request.user, status="done").first(),
        }
    interview_links = [
        (label, url)
        for label, name in (
            (_("Interview invitations"), "interviews:invitations"),
            (_("Interviews"), "interviews:interview_list"),
        )
        if (url := permitted_url(request.user, name))
    ]
    if interview_links:
        from interviews.selectors import invitation_counts

        context["interviews"] = {"counts": invitation_counts(), "links": interview_links}
    # Device and app file imports, linked for those the import page lets in.
    context["import_links"] = [
        (label, url)
        for kind, label in (("dynamo", _("DynaMo CSV")), ("mmp", _("Manage My Pain CSV")))
        if (url := permitted_url(request.user, "outcomes:import_upload", kind))
    ]
    if request.user.has_perm("trial.verify_source"):
        from trial.services.sdv import sdv_progress

        context["sdv_progress"] = sdv_progress(PROTOCOL.outcome_visits())
    if request.user.has_perm("trial.view_audit_trail"):
        context["recent_audit"] = visible_audit_entries(request.user).order_by("-id")[:10]
    if request.user.has_perm("trial.manage_users"):
        context["last_heartbeat"] = WorkerHeartbeat.objects.order_by("-recorded_at").first()
        context["active_users"] = get_user_model().objects.filter(is_active=True).count()
        context["locked_accounts"] = list(
            AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
            .values_list("username", flat=True)
            .distinct()
        )
    return render(request, "trial/role_home.html", context)
