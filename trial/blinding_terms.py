"""Which words of a free text would tell a blinded reader the arm (pure, no Django).

Matching is on word boundaries, case-insensitive, with simple plurals ("goblet squats" matches
"Goblet squat") and any run of spaces or hyphens between the words of a phrase."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    body = r"[\s\-]+".join(words)
    return re.compile(rf"(?<![\w]){body}(?:e?s)?(?![\w])", re.IGNORECASE)


def unblinding_terms(text: str, vocabulary: Iterable[str]) -> list[str]:
    """The phrases of ``vocabulary`` found in ``text``, longest first, each once."""
    found: dict[str, str] = {}
    for phrase in sorted(set(vocabulary), key=lambda p: (-len(p), p)):
        if phrase and phrase.lower() not in found and _pattern(phrase).search(text or ""):
            found[phrase.lower()] = phrase
    return list(found.values())
