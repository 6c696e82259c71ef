"""All detectors together: one call proposes every redaction for a transcript."""

from __future__ import annotations

from collections.abc import Iterable

from interviews.deid.known import KnownPerson, participant_proposals, staff_proposals
from interviews.deid.names import (
    capitalised_proposals,
    french_entity_proposals,
    gazetteer_proposals,
)
from interviews.deid.patterns import pattern_proposals
from interviews.deid.proposals import Proposal, merge

LANGUAGES = ("en", "fr")


def propose(
    text: str,
    person: KnownPerson,
    staff_names: Iterable[tuple[str, str]],
    language: str = "en",
) -> list[Proposal]:
    """Non-overlapping proposals in text order, each with its category and the detector."""
    if language not in LANGUAGES:
        raise ValueError(
            f"Transcripts are de-identified in {', '.join(LANGUAGES)}, not {language}."
        )
    found = [
        *participant_proposals(text, person),
        *staff_proposals(text, staff_names),
        *pattern_proposals(text),
        *gazetteer_proposals(text),
        *capitalised_proposals(text),
    ]
    if language == "fr":
        found += french_entity_proposals(text)
    return merge(found, text)
