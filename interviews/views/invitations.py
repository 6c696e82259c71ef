"""The coordinator's side: inviting participants and recording their answer and audio consent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from interviews.forms import AnswerForm, AudioConsentForm, InviteForm
from interviews.models import InterviewInvitation
from interviews.selectors import invitation_candidates, invitation_counts
from interviews.services.invitations import (
    InvitationRefused,
    invite,
    record_answer,
    record_audio_consent,
)
from trial.access.policy import requires
from trial.exceptions import JourneyError
from trial.models import Participant


@requires("trial.invite_to_interviews")
def invitations(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, initial={"invited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        participant = Participant.objects.filter(study_id=form.cleaned_data["study_id"]).first()
        if participant is None:
            form.add_error("study_id", _("No participant has this study ID."))
        else:
            try:
                invitation = invite(
                    participant,
                    form.cleaned_data["timepoint"],
                    request.user,
                    form.cleaned_data["invited_on"],
                )
            except (InvitationRefused, JourneyError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Invitation recorded."))
                return redirect("interviews:invitation", invitation_id=invitation.pk)
    rows = InterviewInvitation.objects.select_related("participant", "interview").order_by(
        "-invited_on", "participant__study_id"
    )
    return render(
        request,
        "interviews/invitations.html",
        {
            "form": form,
            "invitations": rows,
            "candidates": invitation_candidates(),
            "counts": invitation_counts(),
        },
    )


@requires("trial.invite_to_interviews")
def invitation_detail(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        InterviewInvitation.objects.select_related("participant"), pk=invitation_id
    )
    answer_form = AnswerForm(
        request.POST if "answer" in request.POST else None,
        initial={"answer": invitation.answer, "answered_on": invitation.answered_on},
    )
    consent_form = AudioConsentForm(
        request.POST if "audio_consent" in request.POST else None,
        initial={
            "audio_consent": invitation.audio_consent,
            "version": invitation.audio_consent_version,
            "signed_on": invitation.audio_consent_on,
        },
    )
    try:
        if answer_form.is_bound and answer_form.is_valid():
            data = answer_form.cleaned_data
            record_answer(invitation, data["answer"], data["answered_on"])
            messages.success(request, _("Answer recorded."))
            return redirect("interviews:invitation", invitation_id=invitation.pk)
        if consent_form.is_bound and consent_form.is_valid():
            data = consent_form.cleaned_data
            record_audio_consent(
                invitation,
                data["audio_consent"],
                version=data["version"],
                signed_on=data["signed_on"],
                obtained_by=request.user,
            )
            messages.success(request, _("Audio-recording consent recorded."))
            return redirect("interviews:invitation", invitation_id=invitation.pk)
    except InvitationRefused as error:
        (answer_form if answer_form.is_bound else consent_form).add_error(None, str(error))
    return render(
        request,
        "interviews/invitation.html",
        {"invitation": invitation, "answer_form": answer_form, "consent_form": consent_form},
    )
