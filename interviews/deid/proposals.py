"""A proposed redaction, and how overlapping proposals become one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Category(StrEnum):
    """What an identifier is; the order below is the priority when two proposals overlap."""

    PARTICIPANT = "participant"  # the participant's own name, nickname, contacts, birth date
    STAFF = "staff"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    POSTAL_CODE = "postal_code"
    DATE = "date"
    AGE = "age"
    INSTITUTION = "institution"
    PLACE = "place"
    PERSON = "person"


PRIORITY = {category: rank for rank, category in enumerate(Category)}
REPLACEMENTS = {
    Category.PARTICIPANT: "[PARTICIPANT]",
    Category.STAFF: "[STAFF]",
    Category.EMAIL: "[EMAIL]",
    Category.PHONE: "[PHONE]",
    Category.ADDRESS: "[ADDRESS]",
    Category.POSTAL_CODE: "[POSTAL CODE]",
    Category.DATE: "[DATE]",
    Category.AGE: "[AGE 90+]",
    Category.INSTITUTION: "[INSTITUTION]",
    Category.PLACE: "[PLACE]",
    Category.PERSON: "[PERSON]",
}


@dataclass(frozen=True)
class Proposal:
    start: int
    end: int
    text: str
    category: Category
    source: str  # which detector proposed it (shown to the reviewer)
    replacement: str = ""

    def __post_init__(self) -> None:
        if not self.replacement:
            object.__setattr__(self, "replacement", REPLACEMENTS[self.category])


def merge(proposals: list[Proposal], text: str) -> list[Proposal]:
    """Non-overlapping proposals in text order: overlapping ones become one span covering both,
    with the category (and replacement) of the higher-priority one."""
    merged: list[Proposal] = []
    for proposal in sorted(proposals, key=lambda p: (p.start, -p.end)):
        if merged and proposal.start < merged[-1].end:
            last = merged[-1]
            keep = last if PRIORITY[last.category] <= PRIORITY[proposal.category] else proposal
            start, end = last.start, max(last.end, proposal.end)
            merged[-1] = replace(keep, start=start, end=end, text=text[start:end])
        else:
            merged.append(proposal)
    return merged


def apply(text: str, accepted: list[Proposal]) -> str:
    """The text with each accepted span replaced by its placeholder."""
    pieces, cursor = [], 0
    for proposal in sorted(accepted, key=lambda p: p.start):
        if proposal.start < cursor:
            continue  # covered by an earlier accepted span
        pieces += [text[cursor : proposal.start], proposal.replacement]
        cursor = proposal.end
    pieces.append(text[cursor:])
    return "".join(pieces)
