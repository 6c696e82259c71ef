"""Transcript versions, their proposed redactions, the reviewer's decisions and the approval."""

from __future__ import annotations

import hashlib
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from interviews.deid.engine import propose
from interviews.deid.known import KnownPerson
from interviews.deid.proposals import Category, Proposal, apply
from interviews.models import Decision, Interview, Redaction, Transcript
from interviews.transcript_files import read_transcript


class ReviewRefused(ValueError):
    """The de-identification step cannot be done (the message says why)."""


def known_person(interview: Interview) -> KnownPerson:
    """The participant's identifiers, from the encrypted identity."""
    identity = getattr(interview.invitation.participant, "identity", None)
    if identity is None:
        return KnownPerson("", "")
    return KnownPerson(
        identity.first_name,
        identity.last_name,
        identity.email,
        identity.phone,
        identity.address,
        identity.date_of_birth,
    )


def staff_names() -> list[tuple[str, str]]:
    users = get_user_model().objects.exclude(first_name="", last_name="")
    return list(users.values_list("first_name", "last_name"))


def _as_redaction(transcript: Transcript, proposal: Proposal) -> Redaction:
    return Redaction(
        transcript=transcript,
        start=proposal.start,
        end=proposal.end,
        text=proposal.text,
        category=str(proposal.category),
        source=proposal.source,
        replacement=proposal.replacement,
    )


@transaction.atomic
def add_transcript(
    interview: Interview,
    name: str,
    data: bytes,
    language: str,
    user: object,
    origin: str = "upload",
) -> Transcript:
    """A new version (earlier ones are kept), with every redaction the detectors propose."""
    text = read_transcript(name, data)
    latest = interview.transcripts.aggregate(v=Max("version"))["v"] or 0
    transcript = Transcript.objects.create(
        interview=interview,
        version=latest + 1,
        origin=origin,
        language=language,
        source_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        uploaded_by=user,
    )
    proposals = propose(text, known_person(interview), staff_names(), language)
    Redaction.objects.bulk_create([_as_redaction(transcript, p) for p in proposals])
    return transcript


def _editable(transcript: Transcript) -> None:
    if transcript.approved_at is not None:
        raise ReviewRefused("This transcript is approved; upload a new version to change it.")


@transaction.atomic
def decide(transcript: Transcript, decisions: dict[int, str], user: object) -> int:
    """Accept (redact) or reject (keep) proposals; returns how many changed."""
    _editable(transcript)
    changed = 0
    for redaction in transcript.redactions.filter(pk__in=list(decisions)):
        decision = decisions[redaction.pk]
        if decision not in Decision.values or decision == redaction.decision:
            continue
        redaction.decision, redaction.decided_by = decision, user
        redaction.save(reason="de-identification review")
        changed += 1
    return changed


@transaction.atomic
def add_manual_redaction(transcript: Transcript, phrase: str, category: str, user: object) -> int:
    """Redact every occurrence of a phrase the detectors missed; returns how many were added."""
    _editable(transcript)
    phrase = phrase.strip()
    if len(phrase) < 2:
        raise ReviewRefused("Give the words to redact (at least two characters).")
    if category not in {c.value for c in Category}:
        raise ReviewRefused(f"Unknown kind of identifier {category!r}.")
    taken = [(r.start, r.end) for r in transcript.redactions.all()]
    added = 0
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE)
    for match in pattern.finditer(transcript.text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        proposal = Proposal(
            match.start(), match.end(), match.group(0), Category(category), "reviewer"
        )
        redaction = _as_redaction(transcript, proposal)
        redaction.decision, redaction.decided_by = Decision.ACCEPTED, user
        redaction.save()
        added += 1
    if not added:
        raise ReviewRefused(f"{phrase!r} is not in the transcript outside existing redactions.")
    return added


def deidentified(transcript: Transcript) -> str:
    accepted = [
        Proposal(r.start, r.end, r.text, Category(r.category), r.source, r.replacement)
        for r in transcript.redactions.filter(decision=Decision.ACCEPTED)
    ]
    return apply(transcript.text, accepted)


@transaction.atomic
def approve(transcript: Transcript, user: object) -> Transcript:
    """Approve once every proposal is decided; the de-identified text is what exports carry."""
    _editable(transcript)
    undecided = transcript.redactions.filter(decision=Decision.PROPOSED).count()
    if undecided:
        raise ReviewRefused(f"{undecided} proposed redaction(s) still need a decision.")
    text = deidentified(transcript)
    transcript.deidentified_text = text
    transcript.word_count = len(text.split())
    transcript.approved_at, transcript.approved_by = timezone.now(), user
    transcript.save(reason="de-identified transcript approved")
    return transcript
