"""Satisfaction and Recovery Index (SRI; Walton et al.): 9 items, each rated for importance and
for satisfaction, 0-10. Item wording is not held here (copy it from the CC-BY article's
appendix); items are numbered 1-9.

Source: Walton DM, MacDermid JC, Pulickal M, Rollack A, Veitch J. Open Orthop J 2014;8:316-25;
scoring from the developers' lab post (pirlresearch.com, 2014-06-06):
weighted item = importance x satisfaction / 10; SRI % = sum(weighted) / sum(importance) x 100.

Missing data (no published rule; pinned here): an item with a missing importance or
satisfaction drops out of both sums; at least MIN_ITEMS of 9 complete items are needed; when the
importance ratings sum to 0 the index is undefined (no total).
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text, numbered

NAME = "sri"
VERSION = "sri-walton2014"
MIN_ITEMS = 7
NUMBERS = range(1, 10)
IMPORTANCE = tuple(f"sri_{n:02d}_importance" for n in NUMBERS)
SATISFACTION = tuple(f"sri_{n:02d}_satisfaction" for n in NUMBERS)
ITEMS = IMPORTANCE + SATISFACTION


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    missing = [key for key in ITEMS if answers[key] is None]
    pairs = [
        (answers[imp], answers[sat])
        for imp, sat in zip(IMPORTANCE, SATISFACTION, strict=True)
        if answers[imp] is not None and answers[sat] is not None
    ]
    if len(pairs) < MIN_ITEMS:
        note = f"{len(pairs)} complete items; the SRI needs at least {MIN_ITEMS} of 9."
        return ScoreResult(None, {}, VERSION, missing, (note,))
    importance = sum(imp for imp, _ in pairs)  # type: ignore[misc]
    if importance == 0:
        return ScoreResult(None, {}, VERSION, missing, ("every importance is 0: undefined.",))
    weighted = sum(imp * sat / 10 for imp, sat in pairs)  # type: ignore[operator]
    return ScoreResult(100.0 * weighted / importance, {}, VERSION, missing)


def _soft_checks(answers: Mapping[str, int | None]) -> list[Text]:
    if all(not answers[key] for key in IMPORTANCE):
        return [
            Text(
                "Every importance rating is 0 or blank: the SRI cannot be computed.",
                "Toutes les importances valent 0 ou sont vides : SRI incalculable.",
            )
        ]
    return []


SCALE = numbered(0, 10)
DEFINITION = Instrument(
    name=NAME,
    title=Text("Satisfaction and Recovery Index", "Indice de satisfaction et de récupération"),
    version=VERSION,
    source="Walton DM et al. Open Orthop J 2014;8:316-25 (CC BY 2.5); scoring: pirlresearch.com.",
    licence="Article CC BY 2.5; item wording from the article's appendix (not reproduced here).",
    sections=tuple(
        Section(
            Text(f"Item {n}", f"Question {n}"),
            (
                Item(
                    f"sri_{n:02d}_importance",
                    Text(f"Item {n}: importance (0-10)", f"Question {n} : importance (0-10)"),
                    choices=SCALE,
                ),
                Item(
                    f"sri_{n:02d}_satisfaction",
                    Text(f"Item {n}: satisfaction (0-10)", f"Question {n} : satisfaction (0-10)"),
                    choices=SCALE,
                ),
            ),
        )
        for n in NUMBERS
    ),
    scorer=_score,
    soft_checks=_soft_checks,
)
