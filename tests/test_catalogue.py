"""The French catalogue is complete and compiled: every string translated (none fuzzy), the
placeholders of each translation those of its English, and the compiled .mo in use."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|\{\w+\}")


def test_every_string_is_translated_with_its_placeholders() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        for english, french in zip(ids, strings, strict=False):
            if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(french)):
                problems.append(("placeholders differ", english))
    assert len(catalogue) > 1500
    assert problems == []


def test_the_compiled_catalogue_is_used() -> None:
    with translation.override("fr"):
        assert translation.gettext("Due this week, overdue and missing") == (
            "Dû cette semaine, en retard et manquant"
        )
