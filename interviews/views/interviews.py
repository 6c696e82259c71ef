"""The qualitative researcher's pages: guides, interviews, audio, transcripts, review, export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from interviews.audio_formats import AUDIO_KINDS
from interviews.forms import (
    GuideForm,
    InterviewForm,
    ManualRedactionForm,
    RecordingForm,
    TranscriptForm,
)
from interviews.models import Interview, InterviewGuide, InterviewInvitation, Recording, Transcript
from interviews.selectors import interviews_overview, invitation_counts
from interviews.services import transcripts as transcript_service
from interviews.services.export import transcripts_zip
from interviews.services.interviews import add_guide_version, current_guide, record_interview
from interviews.services.invitations import InvitationRefused
from interviews.services.recordings import RecordingRefused, listen, store_recording
from interviews.transcript_files import TranscriptFileError
from trial.access.policy import requires
from trial.dispatch import send
from trial.exceptions import JourneyError


def _must_conduct(request: HttpRequest) -> None:
    if not request.user.has_perm("trial.conduct_interviews"):
        raise PermissionDenied


@requires("trial.view_interviews")
def interview_list(request: HttpRequest) -> HttpResponse:
    context = {**interviews_overview(), "counts": invitation_counts()}
    return render(request, "interviews/list.html", context)


@requires("trial.conduct_interviews")
def guides(request: HttpRequest) -> HttpResponse:
    form = GuideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_guide_version(**form.cleaned_data, user=request.user)
        except (InvitationRefused, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Guide version saved."))
            return redirect("interviews:guides")
    return render(
        request,
        "interviews/guides.html",
        {"form": form, "guides": InterviewGuide.objects.select_related("created_by")},
    )


@requires("trial.conduct_interviews")
def interview_new(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        InterviewInvitation.objects.select_related("participant"), pk=invitation_id
    )
    guide = current_guide(invitation.timepoint)
    form = InterviewForm(
        request.POST or None,
        timepoint=invitation.timepoint,
        initial={"guide": guide, "interviewer": request.user, "duration_minutes": 40},
    )
    if request.method == "POST" and form.is_valid():
        try:
            interview = record_interview(invitation, request.user, **form.cleaned_data)
        except (InvitationRefused, JourneyError) as error:
            form.add_error(None, str(error))
        else:
            return redirect("interviews:interview", interview_id=interview.pk)
    return render(
        request,
        "interviews/interview_new.html",
        {"invitation": invitation, "form": form, "no_guide": guide is None},
    )


def _handle_upload(request: HttpRequest, interview: Interview) -> str | None:
    """Store a posted recording or transcript; returns the error to show, None on success."""
    _must_conduct(request)
    if "audio" in request.FILES:
        upload = request.FILES["audio"]
        try:
            recording = store_recording(interview, upload, upload.name, upload.size, request.user)
        except RecordingRefused as error:
            return str(error)
        from interviews.tasks import draft_transcript

        if recording.kind == "wav":
            send(lambda: draft_transcript.delay(recording.pk), "draft transcript")
        messages.success(request, _("Recording stored, encrypted."))
        return None
    form = TranscriptForm(request.POST, request.FILES)
    if not form.is_valid():
        return " ".join(str(e) for errors in form.errors.values() for e in errors)
    upload = form.cleaned_data["transcript"]
    if upload.size > settings.INTERVIEW_TRANSCRIPT_MAX_BYTES:
        return _("The transcript file is too large (over %(mb)s MB).") % {
            "mb": settings.INTERVIEW_TRANSCRIPT_MAX_BYTES // 1024**2
        }
    try:
        transcript = transcript_service.add_transcript(
            interview, upload.name, upload.read(), form.cleaned_data["language"], request.user
        )
    except TranscriptFileError as error:
        return str(error)
    messages.success(
        request,
        _("Transcript version %(v)s stored; review its redactions.") % {"v": transcript.version},
    )
    return None


@requires("trial.view_interviews")
def interview_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = get_object_or_404(
        Interview.objects.select_related("invitation__participant", "guide", "interviewer"),
        pk=interview_id,
    )
    error = None
    if request.method == "POST":
        error = _handle_upload(request, interview)
        if error is None:
            return redirect("interviews:interview", interview_id=interview.pk)
    return render(
        request,
        "interviews/interview.html",
        {
            "interview": interview,
            "recordings": interview.recordings.all(),
            "transcripts": interview.transcripts.all(),
            "recording_form": RecordingForm(),
            "transcript_form": TranscriptForm(
                initial={"language": interview.invitation.participant.consent_language}
            ),
            "error": error,
            "may_conduct": request.user.has_perm("trial.conduct_interviews"),
        },
    )


@requires("trial.listen_to_recordings")
def recording_audio(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The decrypted audio, streamed (never stored in the clear); each request is audited."""
    recording = get_object_or_404(Recording.objects.select_related("interview"), pk=recording_id)
    try:
        chunks = listen(recording, request.user)
    except RecordingRefused as error:
        return HttpResponse(str(error), status=410, content_type="text/plain")
    response = StreamingHttpResponse(chunks, content_type=AUDIO_KINDS[recording.kind][1])
    response["Content-Length"] = str(recording.size_bytes)
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = "inline"
    return response


@requires("trial.conduct_interviews")
def transcript_review(request: HttpRequest, transcript_id: int) -> HttpResponse:
    transcript = get_object_or_404(
        Transcript.objects.select_related("interview__invitation__participant"), pk=transcript_id
    )
    manual = ManualRedactionForm(request.POST if "phrase" in request.POST else None)
    error = None
    try:
        if manual.is_bound and manual.is_valid():
            transcript_service.add_manual_redaction(
                transcript,
                manual.cleaned_data["phrase"],
                manual.cleaned_data["category"],
                request.user,
            )
            return redirect("interviews:transcript_review", transcript_id=transcript.pk)
        if request.method == "POST" and not manual.is_bound:
            decisions = {
                int(key.removeprefix("decision_")): value
                for key, value in request.POST.items()
                if key.startswith("decision_") and key.removeprefix("decision_").isdigit()
            }
            transcript_service.decide(transcript, decisions, request.user)
            if "approve" in request.POST:
                transcript_service.approve(transcript, request.user)
                messages.success(request, _("De-identified transcript approved."))
                return redirect("interviews:interview", interview_id=transcript.interview_id)
            return redirect("interviews:transcript_review", transcript_id=transcript.pk)
    except transcript_service.ReviewRefused as error_:
        error = str(error_)
    redactions = list(transcript.redactions.all())
    text = transcript.text
    rows = [(r, text[max(0, r.start - 40) : r.start], text[r.end : r.end + 40]) for r in redactions]
    return render(
        request,
        "interviews/review.html",
        {
            "transcript": transcript,
            "rows": rows,
            "manual": manual,
            "error": error,
            "preview": transcript_service.deidentified(transcript),
        },
    )


@requires("trial.export_transcripts")
def export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(transcripts_zip(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="interview-transcripts.zip"'
    return response
