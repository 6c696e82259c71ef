"""Exports page: choose a dataset and options; small exports stream, big ones run in the background
and the page polls their progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from outcomes.exports.forms import ExportForm
from outcomes.exports.services import ExportRefused, csv_bytes, start
from outcomes.models import ExportRecord, ExportStatus
from trial.access.policy import requires
from trial.models import Participant
from trial.redaction import public_message

BACKGROUND = ("long", "wide")


@requires("trial.export_data")
def export_page(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        dataset, options = form.cleaned_data["dataset"], form.options()
        big = Participant.objects.count() > settings.EXPORT_ASYNC_THRESHOLD
        try:
            export = start(request.user, dataset, options, queued=big and dataset in BACKGROUND)
        except ExportRefused as refusal:
            form.add_error(None, public_message(refusal))
        else:
            if export.status == ExportStatus.QUEUED:
                from outcomes.tasks import run_export

                run_export.apply_async((export.pk,), queue=settings.DEVICE_TASK_QUEUE)
                messages.info(request, "The export runs in the background; this page follows it.")
                return redirect("outcomes:export_status", export.pk)
            response = StreamingHttpResponse(csv_bytes(export), content_type="text/csv")
            name = f"strongback-{dataset}{'-deid' if options.deidentified else ''}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    recent = ExportRecord.objects.filter(user=request.user)[:20]
    return render(request, "outcomes/exports.html", {"form": form, "recent": recent})


def _own_export(request: HttpRequest, pk: int) -> ExportRecord:
    return get_object_or_404(ExportRecord, pk=pk, user=request.user)


@requires("trial.export_data")
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    template = "outcomes/_export_status.html" if request.htmx else "outcomes/export_status.html"
    return render(request, template, {"export": export})


@requires("trial.export_data")
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / export.file
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
