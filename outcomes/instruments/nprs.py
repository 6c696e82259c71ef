"""Numeric Pain Rating Scale, 0 (no pain) to 10 (worst imaginable pain); the total is the
rating. Recall period: average pain over the past 7 days (as the protocol's NPRS; PROMIS-29
Global07 is kept as its own variable). Source: instruments.md §8."""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text, numbered

NAME = "nprs"
VERSION = "nprs-11pt"
ITEMS = ("nprs",)
ANCHORS = {
    0: Text("no pain", "aucune douleur"),
    10: Text("worst imaginable pain", "pire douleur imaginable"),
}


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    value = answers["nprs"]
    return ScoreResult(
        None if value is None else float(value), {}, VERSION, [] if value is not None else ["nprs"]
    )


DEFINITION = Instrument(
    name=NAME,
    title=Text("Numeric pain rating scale", "Échelle numérique de la douleur"),
    version=VERSION,
    source="11-point NPRS (Childs 2005; Farrar 2001): integer 0-10, no transformation.",
    licence="Public domain.",
    sections=(
        Section(
            Text("Pain"),
            (
                Item(
                    "nprs",
                    Text(
                        "Average low back pain over the past 7 days",
                        "Douleur lombaire moyenne au cours des 7 derniers jours",
                    ),
                    choices=numbered(0, 10, ANCHORS),
                ),
            ),
        ),
    ),
    scorer=_score,
)
