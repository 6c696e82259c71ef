"""The record status page: every participant's forms at a glance, filtered and paged."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trial.access.policy import requires
from trial.handlers import FormState
from trial.selectors.journeys import Stage
from trial.selectors.record_status import (
    StatusFilter,
    grid_forms,
    grid_visits,
    record_status,
    with_links,
)
from trial.views.helpers import paged

ROWS_PER_PAGE = 50
FILTER_KEYS = ("q", "stage", "visit", "form", "state")


@requires("trial.view_participants")
def record_status_page(request: HttpRequest) -> HttpResponse:
    params = {
        key: request.GET.get(key, "").strip() for key in ("q", "stage", "visit", "form", "state")
    }
    filters = StatusFilter(
        query=params["q"],
        stage=params["stage"] if params["stage"] in {s.value for s in Stage} else "",
        visit=params["visit"] if params["visit"] in {v.code for v in grid_visits()} else "",
        form=params["form"] if params["form"] in dict(grid_forms(request.user)) else "",
        state=params["state"] if params["state"] in {s.value for s in FormState} else "",
    )
    rows = record_status(request.user, filters, timezone.localdate())
    pages = paged(request, rows, ROWS_PER_PAGE, params)
    visits = [v for v in grid_visits() if not filters.visit or v.code == filters.visit]
    return render(
        request,
        "trial/record_status.html",
        {
            **pages,
            "rows": with_links(request.user, list(pages["page"].object_list)),
            "matching": len(rows),
            "filters": filters,
            "visits": visits,
            "all_visits": grid_visits(),
            "forms": grid_forms(request.user),
            "stages": [s.value for s in Stage],
            "states": [s.value for s in FormState],
        },
    )
