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
    matching_participants,
    needs_every_row,
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
    today = timezone.localdate()
    if needs_every_row(filters):
        rows = record_status(request.user, filters, today)
        pages = paged(request, rows, ROWS_PER_PAGE, params)
        shown, matching = list(pages["page"].object_list), len(rows)
    else:
        pages = paged(request, matching_participants(filters), ROWS_PER_PAGE, params)
        shown = record_status(request.user, filters, today, list(pages["page"].object_list))
        matching = pages["page"].paginator.count
    visits = [v for v in grid_visits() if not filters.visit or v.code == filters.visit]
    return render(
        request,
        "trial/record_status.html",
        {
            **pages,
            "rows": with_links(request.user, shown),
            "matching": matching,
            "filters": filters,
            "visits": visits,
            "all_visits": grid_visits(),
            "forms": grid_forms(request.user),
            "stages": [s.value for s in Stage],
            "states": [s.value for s in FormState],
        },
    )
