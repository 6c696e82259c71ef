"""Device and app pages: the actigraphy week (diary, upload, nightly summary, plot), MedX entry,
and CSV imports (DynaMo, Manage My Pain) with a preview before anything is saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from outcomes.dashboards import charts
from outcomes.devices.actigraphy import (
    ACTIGRAPHY_VISITS,
    commit_cwa,
    diary_nights,
    latest_recording,
    preview_cwa,
    send_scoring,
)
from outcomes.devices.entry import MEDX_VISITS, issue_app_code, save_diary_week, save_medx
from outcomes.devices.forms import CsvImportForm, DiaryFormSet, MedxForm, UploadForm
from outcomes.devices.models.strength import MEDX_ANGLES
from outcomes.exceptions import EntryRefused
from outcomes.imports.service import ImportRefused, commit_import, preview_import
from outcomes.models import (
    DeviceImport,
    ImportKind,
    ImportStatus,
    MedxTest,
    SleepDiaryNight,
)
from trial.access.policy import requires
from trial.redaction import public_message
from trial.views.helpers import participant_or_404, participant_url, save_or_explain

ENTRY_PERMISSIONS = ("trial.enter_visit_data", "trial.enter_outcomes")


def _may_enter(user: object) -> bool:
    return any(user.has_perm(p) for p in ENTRY_PERMISSIONS)  # type: ignore[attr-defined]


@requires("trial.view_participants")
def actigraphy_page(request: HttpRequest, study_id: str, visit_code: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if visit_code not in ACTIGRAPHY_VISITS:
        raise Http404
    rows = SleepDiaryNight.objects.filter(participant=participant, visit_code=visit_code)
    may_enter = _may_enter(request.user)
    may_upload = request.user.has_perm("trial.import_device_data")
    formset = DiaryFormSet(queryset=rows, prefix="diary")
    upload = UploadForm(prefix="cwa")
    reason_error = ""
    if request.method == "POST" and request.POST.get("action") == "diary":
        if not may_enter:
            raise PermissionDenied
        formset = DiaryFormSet(request.POST, queryset=rows, prefix="diary")
        why = request.POST.get("reason_for_change", "").strip()
        if formset.is_valid():
            edits = [f for f in formset.forms if f.instance.pk and f.has_changed()]
            if edits and not why:
                reason_error = _("Give a reason for changing saved diary nights.")
            else:
                try:
                    saved = save_diary_week(
                        formset.forms, participant, visit_code, request.user, why
                    )
                except (EntryRefused, ValueError) as refusal:
                    messages.error(request, public_message(refusal))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Sleep diary saved: %(n)d night.",
                            "Sleep diary saved: %(n)d nights.",
                            saved,
                        )
                        % {"n": saved},
                    )
                    return redirect(request.path)
    elif request.method == "POST" and request.POST.get("action") == "upload":
        if not may_upload:
            raise PermissionDenied
        upload = UploadForm(request.POST, request.FILES, prefix="cwa")
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                preview = preview_cwa(participant, visit_code, file, request.user)
            except ImportRefused as refusal:
                upload.add_error("file", public_message(refusal))
            else:
                return redirect("outcomes:import_preview", preview.pk)
    recording = latest_recording(participant, visit_code)
    nights = list(recording.nights.all()) if recording else []
    plot = None
    if recording is not None and recording.plot:
        plot = charts.actigraphy_days(
            bytes(recording.plot), nights, diary_nights(participant.pk, visit_code)
        )
    return render(
        request,
        "outcomes/actigraphy.html",
        {
            "participant": participant,
            "visit_code": visit_code,
            "formset": formset,
            "upload": upload,
            "recording": recording,
            "nights": nights,
            "plot": plot,
            "may_enter": may_enter,
            "may_upload": may_upload,
            "reason_error": reason_error,
            "back": participant_url(participant),
        },
    )


@requires("trial.view_participants")
def medx_entry(request: HttpRequest, study_id: str, visit_code: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if visit_code not in MEDX_VISITS:
        raise Http404
    if not _may_enter(request.user):
        raise PermissionDenied
    existing = MedxTest.objects.filter(participant=participant, visit_code=visit_code).first()
    form = MedxForm(request.POST or None, instance=existing or MedxTest(participant=participant))
    if request.method == "POST" and form.is_valid():
        test = form.save(commit=False)
        test.participant, test.visit_code = participant, visit_code
        saved = save_or_explain(
            form,
            lambda: save_medx(
                test, form.printed(), request.user, form.cleaned_data.get("reason_for_change", "")
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("MedX saved: peak %(peak).1f N·m, strength index %(index)s N·m·°.")
                % {"peak": saved.peak_torque_nm, "index": saved.strength_index},
            )
            return redirect(request.path)
    tests = {t.visit_code: t for t in MedxTest.objects.filter(participant=participant)}
    series = {
        f"{code} ({t.tested_on:%Y-%m-%d})": [(a, v) for a, v in sorted(t.curve())]
        for code, t in sorted(tests.items())
    }
    chart = charts.line_chart(
        series, _("flexion angle (°)"), "N·m", MEDX_ANGLES, _("MedX strength curves")
    )
    return render(
        request,
        "outcomes/medx.html",
        {
            "participant": participant,
            "visit_code": visit_code,
            "form": form,
            "tests": tests,
            "chart": chart,
            "back": participant_url(participant),
        },
    )


IMPORT_KINDS = {"dynamo": ImportKind.DYNAMO, "mmp": ImportKind.MMP}


@requires("trial.import_device_data")
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    source = IMPORT_KINDS.get(kind)
    if source is None:
        raise Http404
    form = CsvImportForm(source, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            preview = preview_import(
                source, file.name, file.read(), request.user, form.cleaned_data["profile"]
            )
        except ImportRefused as refusal:
            form.add_error("file", public_message(refusal))
        else:
            return redirect("outcomes:import_preview", preview.pk)
    recent = DeviceImport.objects.filter(kind=source).select_related("uploaded_by")[:20]
    return render(
        request,
        "outcomes/import_upload.html",
        {"form": form, "kind": source, "recent": recent, "slug": kind},
    )


@requires("trial.import_device_data")
def import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    upload = get_object_or_404(DeviceImport.objects.select_related("participant"), pk=import_id)
    if request.method == "POST" and request.POST.get("action") == "resend":
        if upload.status == ImportStatus.QUEUING and send_scoring(upload.recording.pk):
            messages.success(request, _("File attached; sleep is being scored."))
        else:
            messages.warning(request, _("The processing service is still not reachable."))
        return redirect(request.path)
    if request.method == "POST":
        try:
            if upload.kind == ImportKind.CWA:
                commit_cwa(upload, request.user)
                upload.refresh_from_db()
                if upload.status == ImportStatus.QUEUING:
                    messages.warning(request, _("File attached to the visit; the processing "
                                                "service is not reachable now, scoring starts "
                                                "when it is back."))  # fmt: skip
                    return redirect(request.path)
                messages.success(request, _("File attached; sleep is being scored."))
                return redirect(
                    "outcomes:actigraphy", upload.participant.study_id, upload.visit_code
                )
            done = commit_import(upload, request.user)
        except (ImportRefused, EntryRefused) as refusal:
            messages.error(request, public_message(refusal))
            return redirect(request.path)
        messages.success(
            request,
            ngettext(
                "Imported %(rows)d row; %(dupes)d already there skipped.",
                "Imported %(rows)d rows; %(dupes)d already there skipped.",
                done.rows,
            )
            % {"rows": done.rows, "dupes": done.report.get("duplicates_skipped", 0)},
        )
        return redirect(reverse("outcomes:import_upload", args=[_kind_slug(done.kind)]))
    return render(
        request,
        "outcomes/import_preview.html",
        {
            "upload": upload,
            "report": upload.report,
            "may_commit": upload.status == ImportStatus.PREVIEWED,
            "slug": _kind_slug(upload.kind),
        },
    )


def _kind_slug(kind: str) -> str:
    return next((slug for slug, k in IMPORT_KINDS.items() if k == kind), "dynamo")


@require_POST
@requires("trial.import_device_data")
def app_code_issue(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    enrolment = issue_app_code(participant)
    messages.success(
        request, _("Manage My Pain enrolment code: %(code)s") % {"code": enrolment.code}
    )
    return redirect(participant_url(participant))
