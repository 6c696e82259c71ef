"""Source-data verification: mark a form verified, and tell which marks still hold."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from trial.exceptions import JourneyError
from trial.handlers import form_content, forms_content
from trial.models import Participant, SourceVerification
from trial.protocol import PROTOCOL
from trial.selectors.data_version import DerivedCache, data_version


class SdvState(StrEnum):
    VERIFIED = "verified"
    CHANGED = "changed"  # verified once; the data changed since: verify again
    TO_VERIFY = "to_verify"


class NothingToVerify(JourneyError):
    """The form has no stored values to verify (not entered, or not a verifiable form)."""


def content_hash(content: object) -> str:
    text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def verify(user: object, participant: Participant, visit: str, form: str) -> SourceVerification:
    """Mark (or mark again) one form as verified against source, bound to its current values."""
    if not user.has_perm("trial.verify_source"):  # type: ignore[attr-defined]
        raise JourneyError("You may not verify source data.")
    content = form_content(participant.pk, visit, form)
    if content is None:
        raise NothingToVerify(f"{form} at {visit} has no entered values to verify.")
    mark, _created = SourceVerification.objects.select_for_update().get_or_create(
        participant=participant,
        visit_code=visit,
        form_code=form,
        defaults={
            "content_sha256": content_hash(content),
            "verified_by": user,
            "verified_at": timezone.now(),
        },
    )
    if not _created:
        mark.content_sha256, mark.verified_by = content_hash(content), user
        mark.verified_at = timezone.now()
        mark.save(reason="verified against source again")
    return mark


@dataclass(frozen=True)
class FormSdv:
    visit: str
    form: str
    state: SdvState
    mark: SourceVerification | None


def sdv_status(participant: Participant, done: set[tuple[str, str]]) -> list[FormSdv]:
    """The SDV state of every entered, verifiable form of one participant, in schedule order."""
    marks = {
        (m.visit_code, m.form_code): m
        for m in SourceVerification.objects.filter(participant=participant).select_related(
            "verified_by"
        )
    }
    contents = forms_content([participant.pk])
    rows = []
    for visit in PROTOCOL.visits:
        for form in visit.forms:
            if (visit.code, form) not in done:
                continue
            content = contents.get((participant.pk, visit.code, form))
            if content is None:
                continue
            mark = marks.get((visit.code, form))
            if mark is None:
                state = SdvState.TO_VERIFY
            elif mark.content_sha256 == content_hash(content):
                state = SdvState.VERIFIED
            else:
                state = SdvState.CHANGED
            rows.append(FormSdv(visit.code, form, state, mark))
    return rows


@dataclass(frozen=True)
class SdvProgress:
    study_id: str
    visit: str
    marked: int  # marks made (the participant's page shows which no longer match the data)
    entered: int


_progress_cache = DerivedCache(size=4)


def sdv_progress(visits: tuple[str, ...]) -> list[SdvProgress]:
    """Per participant and outcome visit: forms marked against forms entered, in a fixed number
    of queries (the monitor's home), kept under the data stamp until the data change."""
    version = data_version()
    key = None if version is None else (version, visits)
    return _progress_cache.get_or_compute(key, lambda: _sdv_progress(visits))


def _sdv_progress(visits: tuple[str, ...]) -> list[SdvProgress]:
    from collections import Counter

    from trial.handlers import form_handlers, forms_done

    verifiable = {code for code, h in form_handlers().items() if h.contents is not None}
    people = dict(Participant.objects.values_list("pk", "study_id"))
    done = forms_done(list(people))
    marks = Counter(
        SourceVerification.objects.values_list("participant_id", "visit_code").order_by()
    )
    rows = []
    for pid, study_id in sorted(people.items(), key=lambda item: item[1]):
        for visit in visits:
            entered = sum(1 for v, f in done.get(pid, ()) if v == visit and f in verifiable)
            if entered:
                rows.append(SdvProgress(study_id, visit, marks.get((pid, visit), 0), entered))
    return rows
