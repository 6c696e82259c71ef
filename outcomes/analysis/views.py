"""The statistician's analysis page: the analysis dataset in each format, and runs of the SAP
(dummy allocation until lock and unblinding, then the real one) whose progress the page follows."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from outcomes.analysis import runs
from outcomes.analysis.dataset import AnalysisRefused
from outcomes.analysis.labelled import FORMATS
from outcomes.analysis.models import AnalysisRun
from outcomes.exports.models import ExportStatus
from randomization.selectors import may_see_arm
from trial.access.policy import requires

PERMISSIONS = ("trial.view_statistician_home", "trial.export_data")


@requires(*PERMISSIONS)
def analysis_page(request: HttpRequest) -> HttpResponse:
    context = {
        "formats": FORMATS,
        "real_allowed": may_see_arm(request.user),
        "runs": AnalysisRun.objects.filter(user=request.user)[:20],
    }
    return render(request, "outcomes/analysis.html", context)


@requires(*PERMISSIONS)
def analysis_dataset(request: HttpRequest) -> HttpResponse:
    dummy = request.GET.get("allocation", "dummy") != "real"
    try:
        download = runs.dataset_download(request.user, request.GET.get("format", "csv"), dummy)
    except AnalysisRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("outcomes:analysis")
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@requires(*PERMISSIONS)
def analysis_start(request: HttpRequest) -> HttpResponse:
    dummy = request.POST.get("allocation", "dummy") != "real"
    try:
        run = runs.start(request.user, dummy)
    except AnalysisRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("outcomes:analysis")
    from outcomes.tasks import run_analysis

    run_analysis.apply_async((run.pk,), queue=settings.DEVICE_TASK_QUEUE)
    return redirect("outcomes:analysis_run", run.pk)


def _own_run(request: HttpRequest, pk: int) -> AnalysisRun:
    return get_object_or_404(AnalysisRun, pk=pk, user=request.user)


@requires(*PERMISSIONS)
def analysis_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _own_run(request, pk)
    template = "outcomes/_analysis_run.html" if request.htmx else "outcomes/analysis_run.html"
    return render(request, template, {"run": run})


@requires(*PERMISSIONS)
def analysis_report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    run = _own_run(request, pk)
    stored = {"html": run.html_file, "pdf": run.pdf_file}.get(kind)
    if run.status != ExportStatus.DONE or not stored:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / stored
    return FileResponse(path.open("rb"), as_attachment=kind == "pdf", filename=path.name)
