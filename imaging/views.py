"""Imaging pages: a visit's MRI (upload, studies), a study's progress and series decisions, the
disc picker, and the reader's review (overlays, metrics, approve / reject / corrected mask).

Nothing here shows or implies the allocation: the imaging reader is a blinded assessor.
"""

from __future__ import annotations

import json

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from imaging.errors import ImagingError
from imaging.forms import (
    CorrectedMaskForm,
    DecisionForm,
    DiscPointForm,
    LevelsFileForm,
    OverrideForm,
    StudyUploadForm,
)
from imaging.metrics.levels import DISCS, assign_levels, parse_discs
from imaging.models import ImagingStudy, ReviewStatus, SegmentationRun, StudyStatus
from imaging.models.studies import ACTIVE_STATUSES
from imaging.services import disc_levels, ingest, review, watchdog
from imaging.services.preview import canonical_image
from imaging.services.storage import run_folder
from imaging.tasks import queue_pipeline
from trial.access.policy import requires
from trial.protocol import PROTOCOL
from trial.protocol.strongback_analysis import SPINE_LEVELS
from trial.redaction import public_message
from trial.views.helpers import participant_or_404, participant_url

IMAGING_VISITS = PROTOCOL.visits_with("mri")
REVIEW = "trial.review_imaging"
UPLOAD = "trial.import_device_data"


def _may_see_studies(user: object) -> bool:
    return user.has_perm(REVIEW) or user.has_perm(UPLOAD)  # type: ignore[attr-defined]


def _study(request: HttpRequest, pk: int) -> ImagingStudy:
    if not _may_see_studies(request.user):
        raise PermissionDenied
    return get_object_or_404(ImagingStudy.objects.select_related("participant"), pk=pk)


@requires("trial.view_participants")
def visit_imaging(request: HttpRequest, study_id: str, visit_code: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if visit_code not in IMAGING_VISITS:
        raise Http404
    may_upload = request.user.has_perm(UPLOAD)
    form = StudyUploadForm()
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied
        form = StudyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                study = _ingest(form, participant, visit_code, request.user)
            except ImagingError as error:
                field = "folder" if form.cleaned_data["kind"] == "folder" else "file"
                form.add_error(field, public_message(error))
            else:
                for warning in study.warnings:
                    messages.warning(request, warning)
                queue_pipeline(study.pk)
                return redirect("imaging:imaging_study", study.pk)
    studies = ImagingStudy.objects.filter(participant=participant, visit_code=visit_code)
    return render(
        request,
        "imaging/visit.html",
        {
            "participant": participant,
            "visit_code": visit_code,
            "studies": studies,
            "form": form,
            "may_upload": may_upload,
            "back": participant_url(participant),
            "may_open": _may_see_studies(request.user),
        },
    )


def _ingest(
    form: StudyUploadForm, participant: object, visit_code: str, user: object
) -> ImagingStudy:
    if form.cleaned_data["kind"] == "folder":
        files = [(f.name, f.read()) for f in form.cleaned_data["folder"]]
        study, _skipped = ingest.ingest_folder(participant, visit_code, files, user)
        return study
    data = form.cleaned_data["file"].read()
    if form.cleaned_data["kind"] == "nifti":
        labels, fat, water = (form.cleaned_data.get(k) for k in ("labels", "fat", "water"))
        dixon = (fat.read(), water.read()) if fat and water else None
        stated = form.cleaned_data["same_acquisition"]
        return ingest.ingest_nifti(
            participant,
            visit_code,
            data,
            labels.read() if labels else None,
            user,
            dixon=dixon,
            same_acquisition=stated,
        )
    study, _skipped = ingest.ingest_zip(participant, visit_code, data, user)
    return study


@requires("trial.view_participants")
def study_page(request: HttpRequest, study_pk: int) -> HttpResponse:
    study = _study(request, study_pk)
    runs = study.runs.order_by("-created_at")
    return render(
        request,
        "imaging/study.html",
        {
            "study": study,
            "series": study.series.all(),
            "runs": runs,
            "may_review": request.user.has_perm(REVIEW),
            "override": OverrideForm(),
            "polling": study.status in ACTIVE_STATUSES,
            "stuck": watchdog.is_stuck(study),
            "back": participant_url(study.participant),
        },
    )


@require_POST
@requires(REVIEW)
def rerun_study(request: HttpRequest, study_pk: int) -> HttpResponse:
    """Run a stuck or failed study again (a reason is required and audited)."""
    study = _study(request, study_pk)
    try:
        sent = watchdog.rerun(study, request.user, request.POST.get("reason", ""))
    except ImagingError as error:
        messages.error(request, public_message(error))
    else:
        if sent:
            messages.success(request, _("The study is queued again."))
        else:
            waiting = _(
                "The study is queued; the processing service is not reachable now, it will "
                "start when it is back."
            )
            messages.warning(request, waiting)
    return redirect("imaging:imaging_study", study.pk)


@requires("trial.view_participants")
def study_status(request: HttpRequest, study_pk: int) -> HttpResponse:
    study = _study(request, study_pk)
    return render(
        request,
        "imaging/_status.html",
        {
            "study": study,
            "polling": study.status in ACTIVE_STATUSES,
            "run": study.runs.order_by("-created_at").first(),
            "may_review": request.user.has_perm(REVIEW),
        },
    )


@require_POST
@requires(REVIEW)
def choose_series(request: HttpRequest, study_pk: int, series_pk: int) -> HttpResponse:
    study = _study(request, study_pk)
    series = get_object_or_404(study.series, pk=series_pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for choosing another series."))
        return redirect("imaging:imaging_study", study.pk)
    if study.status in ACTIVE_STATUSES:
        messages.error(request, _("The study is being processed; wait until it stops."))
        return redirect("imaging:imaging_study", study.pk)
    review.override_series(study, series, request.user, form.cleaned_data["reason"])
    queue_pipeline(study.pk)
    messages.success(request, _("Series chosen; the study is processed again."))
    return redirect("imaging:imaging_study", study.pk)


@requires(REVIEW)
def levels_page(request: HttpRequest, study_pk: int) -> HttpResponse:
    study = _study(request, study_pk)
    series = study.chosen_series
    if series is None:
        raise Http404
    image = canonical_image(study, series)
    current = getattr(study, "levels", None)
    file_form = LevelsFileForm()
    if request.method == "POST" and "confirm" in request.POST:
        try:
            disc_levels.confirm(study, request.user)
        except ImagingError as error:
            messages.error(request, public_message(error))
        else:
            messages.success(request, _("Disc levels confirmed: per-level metrics are final."))
        return redirect("imaging:imaging_levels", study.pk)
    if request.method == "POST" and "use_suggested" in request.POST:
        try:
            disc_levels.accept_suggestions(study, request.user)
        except ImagingError as error:
            messages.error(request, public_message(error))
        else:
            _remeasure(study, "disc levels changed")
            messages.success(request, _("Suggested names taken: check the discs, then confirm."))
        return redirect("imaging:imaging_levels", study.pk)
    if request.method == "POST":
        try:
            discs = _posted_discs(request, image, dict(current.discs) if current else {})
            if discs is not None:  # refuse discs out of order before anything is saved
                assign_levels(image, parse_discs({"discs": discs}))
        except ImagingError as error:
            messages.error(request, public_message(error))
        else:
            if discs is not None:
                disc_levels.reader_entered(
                    study, discs, request.user, "picker" if "disc" in request.POST else "json"
                )
                _remeasure(study, "disc levels changed")
                return redirect("imaging:imaging_levels", study.pk)
            file_form = LevelsFileForm(request.POST, request.FILES)
    nx, ny, nz = image.shape
    _dx, dy, dz = image.spacing
    points = []
    for name, point in (current.discs if current else {}).items():
        voxel = np.linalg.solve(image.affine[:3, :3], np.array(point) - image.affine[:3, 3])
        points.append(
            {
                "disc": name,
                "i": round(voxel[0], 1),
                "j": round(voxel[1], 1),
                "k": round(voxel[2], 1),
                "lps": point,
            }
        )
    proposals = []
    for proposal in current.proposed.get("discs", []) if current else []:
        voxel = np.linalg.solve(
            image.affine[:3, :3], np.array(proposal["centre"]) - image.affine[:3, 3]
        )
        proposals.append(
            {
                **proposal,
                "k": round(voxel[2], 1),
                "moved_mm": current.moved_mm.get(proposal["name"] or ""),
            }
        )
    return render(
        request,
        "imaging/levels.html",
        {
            "study": study,
            "discs": DISCS,
            "points": points,
            "file_form": file_form,
            "proposals": proposals,
            "suggested": any(p.get("suggested") for p in proposals),
            "nx": nx,
            "ny": ny,
            "nz": nz,
            "middle": nx // 2,
            "slice": nz // 2,
            "sagittal_stretch": round(dz / dy, 4),
            "current": current,
        },
    )


def _posted_discs(request: HttpRequest, image: object, discs: dict) -> dict | None:
    if "levels" in request.FILES:
        return review.levels_from_json(request.FILES["levels"].read())
    form = DiscPointForm(request.POST)
    if not form.is_valid():
        raise ImagingError(_("Pick a disc and click it on an image."))
    voxel = np.array([form.cleaned_data[a] for a in "ijk"])
    if (voxel > np.array(image.shape) - 0.5).any():
        raise ImagingError(_("That point lies outside the image."))
    point = image.patient_coordinates(voxel[None, :])[0]
    discs[form.cleaned_data["disc"]] = [round(float(v), 3) for v in point]
    return discs


def _remeasure(study: ImagingStudy, reason: str) -> None:
    run = study.runs.filter(review=ReviewStatus.PENDING).order_by("-created_at").first()
    if run is not None and study.status == StudyStatus.QC_PENDING:
        review.queue_measurement(run, reason, replace_reason=reason)


@requires(REVIEW)
def slice_png(request: HttpRequest, study_pk: int, axis: int, index: int) -> HttpResponse:
    from PIL import Image

    from imaging.qc.overlays import slice_png as draw

    study = _study(request, study_pk)
    series = study.chosen_series
    if series is None or axis not in (0, 2):
        raise Http404
    image = canonical_image(study, series)
    if not 0 <= index < image.shape[axis]:
        raise Http404
    data = draw(image.array, axis, index)
    if axis == 0:  # stretch the reformat to its physical height
        import io

        picture = Image.open(io.BytesIO(data))
        stretch = image.spacing[2] / image.spacing[1]
        picture = picture.resize((picture.width, round(picture.height * stretch)), Image.NEAREST)
        out = io.BytesIO()
        picture.save(out, format="PNG")
        data = out.getvalue()
    return HttpResponse(data, content_type="image/png")


def composite_missing(metrics: list) -> list[str]:
    """The protocol's L1-L5 levels with no multifidus metric among a run's (the composite needs
    every one of them on both sides)."""
    measured = {(m.level, m.side) for m in metrics if m.muscle == "multifidus" and m.n_slices}
    return [level for level in SPINE_LEVELS if not {(level, "left"), (level, "right")} <= measured]


def _run(request: HttpRequest, pk: int) -> SegmentationRun:
    return get_object_or_404(SegmentationRun.objects.select_related("study__participant"), pk=pk)


@requires(REVIEW)
def review_page(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = _run(request, run_pk)
    metrics = list(run.metrics.all())
    folder = run_folder(run) / "overlays"
    index = (
        json.loads((folder / "index.json").read_text()) if (folder / "index.json").exists() else {}
    )
    return render(
        request,
        "imaging/review.html",
        {
            "run": run,
            "study": run.study,
            "metrics": metrics,
            "overlays": list(index),
            "decision": DecisionForm(),
            "correct": CorrectedMaskForm(),
            "may_decide": run.review == ReviewStatus.PENDING
            and run.study.status == StudyStatus.QC_PENDING,
            "levels_confirmed": bool(
                getattr(run.study, "levels", None) and run.study.levels.confirmed
            ),
            "composite_missing": composite_missing(metrics),
        },
    )


@requires(REVIEW)
def overlay_png(request: HttpRequest, run_pk: int, name: str) -> HttpResponse:
    run = _run(request, run_pk)
    path = run_folder(run) / "overlays" / f"{name}.png"
    if "/" in name or not path.is_file():
        raise Http404
    return HttpResponse(path.read_bytes(), content_type="image/png")


@require_POST
@requires(REVIEW)
def decide(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = _run(request, run_pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            review.decide(
                run,
                request.user,
                form.cleaned_data["decision"] == "approve",
                form.cleaned_data["reason"],
            )
        except ImagingError as error:
            messages.error(request, public_message(error))
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("imaging:imaging_review", run.pk)


@require_POST
@requires(REVIEW)
def correct(request: HttpRequest, run_pk: int) -> HttpResponse:
    run = _run(request, run_pk)
    form = CorrectedMaskForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a mask file and give a reason."))
        return redirect("imaging:imaging_review", run.pk)
    upload = form.cleaned_data["mask"]
    try:
        new = review.correct_mask(
            run, request.user, upload.read(), upload.name, form.cleaned_data["reason"]
        )
    except ImagingError as error:
        messages.error(request, public_message(error))
        return redirect("imaging:imaging_review", run.pk)
    review.queue_measurement(new, "corrected mask")
    messages.success(request, _("Corrected mask saved: it is measured in the background."))
    return redirect("imaging:imaging_review", new.pk)


@requires(REVIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    studies = (
        ImagingStudy.objects.select_related("participant")
        .prefetch_related("runs")
        .order_by("status", "-created_at")
    )
    return render(request, "imaging/worklist.html", {"studies": studies})
