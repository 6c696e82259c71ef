"""The blinding review of free text: what each reader is shown, and the reviewer's decisions.

Declared fields (``REVIEWED_FIELDS``) written by someone who may see the arm get a ``TextReview``
when saved. Readers who may see the arm read the original; blinded readers read it only once
cleared, a blinded version once one is published, and a placeholder while the review is pending.
A change to the text puts it back to pending.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from trial.arms import may_see_arm
from trial.audit.recorder import record
from trial.blinding_terms import unblinding_terms
from trial.models import TextReview, TextReviewStatus
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL

# Free text that unblinded staff write and blinded staff read.
REVIEWED_FIELDS: dict[str, tuple[str, ...]] = {
    "trial.AdverseEvent": ("description",),
    "trial.DataQuery": ("question", "answer", "resolution"),
}


def flagged_terms(text: str) -> list[str]:
    """Arm-revealing phrases in ``text``, in every language of the site (a French note can
    name a French exercise)."""
    vocabulary: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            vocabulary += [str(word) for word in PROTOCOL.unblinding_vocabulary()]
    return unblinding_terms(text, vocabulary)


def _sha(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def _key(obj: models.Model, field: str) -> dict[str, str]:
    return {"object_type": obj._meta.label, "object_id": str(obj.pk), "field": field}


def note_saved(obj: models.Model, author: object) -> None:
    """After ``obj`` is saved by ``author``: open (or reopen) the review of each declared field
    whose text an unblinded author wrote or changed. Texts of blinded authors need none."""
    fields = REVIEWED_FIELDS.get(obj._meta.label, ())
    if not fields or not may_see_arm(author):
        return
    for field in fields:
        text = getattr(obj, field) or ""
        review = TextReview.objects.filter(**_key(obj, field)).first()
        if not text.strip() or (review and review.text_sha256 == _sha(text)):
            continue
        review = review or TextReview(**_key(obj, field), subject=obj.audit_subject())
        review.text_sha256, review.flagged_terms = _sha(text), flagged_terms(text)
        review.status, review.blinded_text, review.author = TextReviewStatus.PENDING, "", author
        review.reviewed_by, review.reviewed_at, review.review_reason = None, None, ""
        review.save(reason="free text from unblinded staff: blinding review opened")


PENDING_TEXT = gettext_noop("[awaiting blinding review]")


def shown_text(user: object, obj: models.Model, field: str, reviews: dict | None = None) -> str:
    """``obj.field`` as ``user`` may read it. ``reviews`` (from ``reviews_for``) saves a query."""
    if may_see_arm(user):
        return getattr(obj, field) or ""
    return blinded_text(obj, field, reviews)


def blinded_text(obj: models.Model, field: str, reviews: dict | None = None) -> str:
    """``obj.field`` as a reader blind to the arm may read it."""
    text = getattr(obj, field) or ""
    if field not in REVIEWED_FIELDS.get(obj._meta.label, ()):
        return text
    if reviews is None:
        reviews = reviews_for([obj])
    review = reviews.get((obj._meta.label, str(obj.pk), field))
    if review is None:
        return text
    if review.status == TextReviewStatus.CLEARED and review.text_sha256 == _sha(text):
        return text
    if review.status == TextReviewStatus.REDACTED and review.text_sha256 == _sha(text):
        return review.blinded_text
    return _(PENDING_TEXT)


def reviews_for(objects: list[models.Model]) -> dict[tuple[str, str, str], TextReview]:
    """The reviews of many records in one query, keyed as ``shown_text`` looks them up."""
    if not objects:
        return {}
    label = objects[0]._meta.label
    rows = TextReview.objects.filter(object_type=label, object_id__in=[str(o.pk) for o in objects])
    return {(r.object_type, r.object_id, r.field): r for r in rows}


def blinded_copy(user: object, objects: list[models.Model]) -> list[models.Model]:
    """The records with each reviewed field replaced by what ``user`` may read (unsaved)."""
    if not objects or may_see_arm(user):
        return objects
    reviews = reviews_for(objects)
    for obj in objects:
        for field in REVIEWED_FIELDS.get(obj._meta.label, ()):
            setattr(obj, field, shown_text(user, obj, field, reviews))
    return objects


def pending_reviews() -> list[TextReview]:
    return list(TextReview.objects.filter(status=TextReviewStatus.PENDING).order_by("created_at"))


class ReviewRefused(ValueError):
    """A review decision without a reason, or a blinded version that still unblinds."""


@transaction.atomic
def decide(review: TextReview, user: object, *, reason: str, blinded_text: str = "") -> None:
    """Clear the text as written, or publish ``blinded_text`` for blinded readers."""
    if not reason.strip():
        raise ReviewRefused(_("Say why (kept in the audit trail)."))
    if blinded_text.strip():
        remaining = flagged_terms(blinded_text)
        if remaining:
            raise ReviewRefused(
                _("The blinded version still names: %(terms)s.") % {"terms": ", ".join(remaining)}
            )
        review.status, review.blinded_text = TextReviewStatus.REDACTED, blinded_text.strip()
    else:
        review.status, review.blinded_text = TextReviewStatus.CLEARED, ""
    review.reviewed_by, review.reviewed_at = user, timezone.now()
    review.review_reason = reason.strip()
    review.save(reason=f"blinding review: {review.get_status_display()}: {reason.strip()}")


def record_review_read(review: TextReview) -> None:
    """The reviewer read an original that may unblind: on record."""
    record(
        AuditAction.VIEW_SENSITIVE,
        object_type=review.object_type,
        object_id=review.object_id,
        subject=review.subject,
        reason=f"free text read for its blinding review ({review.field})",
    )
