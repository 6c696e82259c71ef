"""The data manager's locks on one participant's forms and visits."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.models import RecordLock
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.services.record_locks import LockRefused, active_locks, lock_record, unlock_record
from trial.views.helpers import participant_or_404


@requires("trial.lock_database", "trial.view_participants")
def record_locks(request: HttpRequest, study_id: str) -> HttpResponse:
    participant = participant_or_404(study_id)
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("unlock"):
                lock = get_object_or_404(
                    RecordLock, pk=request.POST["unlock"], participant=participant
                )
                unlock_record(request.user, lock, reason)
                messages.success(request, _("Unlocked."))
            else:
                target = request.POST.get("target", "")
                visit, _sep, form = target.partition(":")
                lock_record(request.user, participant, visit, form, reason)
                messages.success(request, _("Locked."))
        except LockRefused as refusal:
            messages.error(request, public_message(refusal))
        return redirect("record_locks", study_id=participant.study_id)
    choices = [(visit.code, visit.label, visit.forms) for visit in PROTOCOL.visits if visit.forms]
    return render(
        request,
        "trial/record_locks.html",
        {"participant": participant, "locks": active_locks(participant), "choices": choices},
    )
