"""Oswestry Disability Index v2.1a (licensed text: short section labels only).

Source: Fairbank & Pynsent 2000, Spine 25(22):2940-52, formula restated in
``shared/reference/instruments.md`` §1.2; item coding 0-5 in printed order as in awell-score
``src/scores/oswestry``. Published worked examples: 16/50 -> 32 %, 16/45 -> 35.56 %.

Missing sections: one missing or not-applicable section shrinks the denominator by 5 (Fairbank
2000). Fairbank says nothing about two or more; this library then returns no total (as
awell-score does), so a score never rests on fewer than 9 of 10 sections. A trial SAP wanting
"up to 2 missing" changes MAX_MISSING and the version.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text, answered

NAME = "odi"
VERSION = "odi-2.1a"
MAX_MISSING = 1
LABELS = (
    Text("Pain intensity", "Intensité de la douleur"),
    Text("Personal care (washing, dressing)", "Soins personnels (toilette, habillage)"),
    Text("Lifting", "Soulever des charges"),
    Text("Walking", "Marcher"),
    Text("Sitting", "Position assise"),
    Text("Standing", "Position debout"),
    Text("Sleeping", "Sommeil"),
    Text("Sex life (if applicable)", "Vie sexuelle (le cas échéant)"),
    Text("Social life", "Vie sociale"),
    Text("Travelling", "Déplacements"),
)
ITEMS = tuple(f"odi_{i:02d}" for i in range(1, 11))
STATEMENTS = tuple(
    (code, Text(f"{code}: statement {code + 1} of 6", f"{code} : énoncé {code + 1} sur 6"))
    for code in range(6)
)


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    given = answered(answers, ITEMS)
    missing = [key for key in ITEMS if key not in given]
    if len(missing) > MAX_MISSING:
        note = f"{len(missing)} sections missing; the ODI needs at least {10 - MAX_MISSING}."
        return ScoreResult(None, {}, VERSION, missing, (note,))
    total = 100.0 * sum(given.values()) / (5 * len(given))
    return ScoreResult(total, {}, VERSION, missing)


def _soft_checks(answers: Mapping[str, int | None]) -> list[Text]:
    missing = [key for key in ITEMS if answers.get(key) is None]
    if len(missing) > MAX_MISSING:
        return [
            Text(
                f"{len(missing)} sections are unanswered: no ODI score can be computed.",
                f"{len(missing)} sections sans réponse : aucun score ODI ne peut être calculé.",
            )
        ]
    return []


DEFINITION = Instrument(
    name=NAME,
    title=Text("Oswestry Disability Index 2.1a", "Indice d'incapacité d'Oswestry 2.1a"),
    version=VERSION,
    source="Fairbank JCT, Pynsent PB. Spine 2000;25(22):2940-52.",
    licence="© J. Fairbank, licensed via Mapi Research Trust: statement text not reproduced.",
    sections=(
        Section(
            Text(
                "Sections (score = the statement ticked, 0 = first printed, 5 = last)",
                "Sections (score = l\u2019énoncé coché, 0 = le premier imprimé, 5 = le dernier)",
            ),
            tuple(
                Item(key, label, choices=STATEMENTS)
                for key, label in zip(ITEMS, LABELS, strict=True)
            ),
            Text(
                "Leave a section blank when it was not answered or does not apply.",
                "Laisser vide une section sans réponse ou non applicable.",
            ),
        ),
    ),
    scorer=_score,
    soft_checks=_soft_checks,
)
