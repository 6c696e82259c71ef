"""The identifiers the trial already knows: the participant's own (from the encrypted identity)
and the staff's names (from the user table). Matched whole-word wherever they occur."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from interviews.deid.proposals import Category, Proposal

_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class KnownPerson:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    date_of_birth: dt.date | None = None
    other_names: tuple[str, ...] = field(default=())  # nicknames the researcher adds


@cache
def _nicknamer():
    from nicknames import NickNamer

    return NickNamer()


def nicknames_of(first_name: str) -> set[str]:
    """Usual English nicknames of a first name (and the names a nickname stands for)."""
    name = first_name.strip().lower()
    if not name:
        return set()
    namer = _nicknamer()
    return {n for n in namer.nicknames_of(name) | namer.canonicals_of(name) if len(n) > 2}


def _word(value: str, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<![\w@]){re.escape(value)}(?![\w@])", flags)


def _name_patterns(name: str) -> Iterator[re.Pattern[str]]:
    """A name as written in a transcript: capitalised or in capitals, each part alone too."""
    parts = [name, *re.split(r"[\s]+", name)] if " " in name.strip() else [name]
    for part in {p.strip() for p in parts if len(p.strip()) > 1}:
        for variant in {part[:1].upper() + part[1:], part.upper()}:
            yield _word(variant)


def _date_renderings(day: dt.date) -> list[str]:
    month = _MONTH_NAMES[day.month - 1]
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day:%m/%d/%Y}",
        f"{month} {day.day}, {day.year}",
        f"{month} {day.day} {day.year}",
        f"{day.day} {month} {day.year}",
    ]


def _find(
    pattern: re.Pattern[str], text: str, category: Category, source: str, replacement: str = ""
) -> Iterator[Proposal]:
    for match in pattern.finditer(text):
        yield Proposal(match.start(), match.end(), match.group(0), category, source, replacement)


def _phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-10:] if len(digits) >= 10 else digits


def participant_proposals(text: str, person: KnownPerson) -> list[Proposal]:
    found: list[Proposal] = []
    names = {person.first_name, person.last_name, *person.other_names}
    for name in filter(None, names):
        for pattern in _name_patterns(name):
            found += _find(pattern, text, Category.PARTICIPANT, "participant's name")
    for nickname in nicknames_of(person.first_name) - {n.lower() for n in names}:
        found += _find(_word(nickname.capitalize()), text, Category.PARTICIPANT, "nickname")
    who = Category.PARTICIPANT
    if person.email.strip():
        found += _find(_word(person.email.strip(), True), text, who, "identity", "[EMAIL]")
    if person.address.strip():  # the whole address, and its street line alone
        for value in {person.address.strip(), person.address.strip().split(",")[0].strip()}:
            found += _find(_word(value, True), text, who, "identity", "[ADDRESS]")
    if digits := _phone_digits(person.phone):
        spaced = re.compile(r"[\s().+-]*".join(digits))
        found += _find(spaced, text, who, "identity", "[PHONE]")
    if person.date_of_birth:
        for rendering in _date_renderings(person.date_of_birth):
            found += _find(_word(rendering, True), text, who, "date of birth", "[DATE OF BIRTH]")
    return found


def staff_proposals(text: str, staff_names: Iterable[tuple[str, str]]) -> list[Proposal]:
    """Staff members' names (first and last names from the user table)."""
    found: list[Proposal] = []
    for first, last in staff_names:
        full = f"{first} {last}".strip()
        if not full:
            continue
        for pattern in _name_patterns(full):
            found += _find(pattern, text, Category.STAFF, "staff name")
    return found
