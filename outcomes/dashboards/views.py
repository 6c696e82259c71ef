"""The outcome dashboards: pooled for blinded readers, by arm for those who may see every arm."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from interviews.selectors import invitation_counts
from outcomes.dashboards.data import blinded_dashboard, unblinded_dashboard
from randomization.selectors import may_see_arm
from trial.access.policy import requires


def may_see_unblinded_dashboard(user: object) -> bool:
    """The PI (and a data manager granted it), or the statistician once the trial is unblinded;
    in every case only a reader the blinding layer lets see every arm."""
    granted = user.has_perm("trial.view_unblinded_dashboard") or user.has_perm(  # type: ignore[attr-defined]
        "trial.view_allocation_after_unblinding"
    )
    return granted and may_see_arm(user)


@requires("trial.view_blinded_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "outcomes/dashboard.html", {
        **blinded_dashboard(request.user),
        "may_see_by_arm": may_see_unblinded_dashboard(request.user),
        "interview_counts": invitation_counts(),  # pooled: they name no arm
    })  # fmt: skip


@requires("trial.view_participants")
def dashboard_by_arm(request: HttpRequest) -> HttpResponse:
    if not may_see_unblinded_dashboard(request.user):
        raise PermissionDenied
    return render(request, "outcomes/dashboard_by_arm.html", unblinded_dashboard(request.user))
