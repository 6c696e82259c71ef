"""French throughout: every page of every role (generated from the URLconf) rendered in English
and in French; a visible English sentence left the same in French fails. The language is kept
with the account."""

from __future__ import annotations

import re

import pytest

from tests.pages import role_pages, visible_text
from trial.roles import ROLES

pytestmark = pytest.mark.django_db

# English words that are not French words: a fragment holding one is an English sentence.
ENGLISH_WORDS = """the and of to is are for with this that not has have was were will from you
your be by it an no yet been who which when what each every there their its any only must may
can cannot should save saved enter open see after before into than then more less here back
next previous show find log out none nothing other others above below choose upload download
record recorded review reviewed sign signed done due missing awaiting summary function weekly
assessment strength physical sleep anxiety depression disturbance interference intensity health
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())
WORD = re.compile(r"(?<!\w)[A-Za-z]+(?:'[a-z]+)?(?!\w)")
# Proper nouns, product names and codes that read the same in both languages.
ALLOWED = ("STRONG-BACK EDC", "ISRCTN14864451", "Manage My Pain", "Orthanc", "MONAI")


def english_words(text: str) -> set[str]:
    for name in ALLOWED:
        text = text.replace(name, "")
    return {w for w in WORD.findall(text) if w.lower() in ENGLISH}


def _render(client, user, language: str) -> dict[str, list[str]]:
    user.language = language
    user.save(update_fields=["language"])
    return {path: visible_text(html) for path, html in role_pages(client)}


@pytest.mark.parametrize("role", [role.code for role in ROLES])
def test_every_page_is_in_french(role: str, role_users: dict, client_for) -> None:
    client, user = client_for(role), role_users[role]
    english = _render(client, user, "en")
    french = _render(client, user, "fr")
    left = []
    for path, texts in french.items():
        same = set(texts) & set(english.get(path, ()))
        left += [(path, text[:90]) for text in sorted(same) if english_words(text)]
    assert len(french) >= 5
    assert left == [], f"{len(left)} English fragments left, e.g. {left[:40]}"
