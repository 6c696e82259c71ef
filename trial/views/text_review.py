"""The blinding review queue: free text from unblinded staff, before blinded staff read it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from trial.access.policy import requires
from trial.models import AdverseEvent, DataQuery, TextReview
from trial.redaction import public_message
from trial.services.text_review import (
    ReviewRefused,
    decide,
    pending_reviews,
    record_review_read,
)

MODELS = {"trial.AdverseEvent": AdverseEvent, "trial.DataQuery": DataQuery}


def _original(review: TextReview) -> str:
    model = MODELS.get(review.object_type)
    obj = model.objects.filter(pk=review.object_id).first() if model else None
    return (getattr(obj, review.field, "") or "") if obj is not None else ""


@requires("trial.review_free_text")
def text_review(request: HttpRequest) -> HttpResponse:
    """GET: the pending texts (each read is audited). POST: clear one or publish a blinded one."""
    if request.method == "POST":
        review = get_object_or_404(TextReview, pk=request.POST.get("review_id"))
        try:
            decide(review, request.user, reason=request.POST.get("reason", ""),
                   blinded_text=request.POST.get("blinded_text", ""))  # fmt: skip
        except ReviewRefused as refusal:
            messages.error(request, public_message(refusal))
        else:
            messages.success(request, _("Decision saved; blinded staff now see the result."))
        return redirect("text_review")
    rows = []
    for review in pending_reviews():
        record_review_read(review)
        rows.append({"review": review, "text": _original(review)})
    return render(request, "trial/text_review.html", {"rows": rows})
