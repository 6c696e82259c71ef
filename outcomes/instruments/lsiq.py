"""Lumbar Spine Instability Questionnaire: 15 yes/no items, total 0-15 (item wording not held).

Source: Macedo et al. 2014, Phys Ther 94(11):1543 (score = number of "yes"; >= 9 is "high
instability", figure legend); the cut-off is the protocol's (trial.protocol). No published
missing-item rule: the stratification variable is never prorated, so any missing item gives no
total.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text
from trial.protocol import PROTOCOL

NAME = "lsiq"
VERSION = "lsiq-macedo2014"
ITEMS = tuple(f"lsiq_{i:02d}" for i in range(1, 16))
YES_NO = ((1, Text("Yes", "Oui")), (0, Text("No", "Non")))


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    missing = [key for key in ITEMS if answers[key] is None]
    if missing:
        return ScoreResult(None, {"stratum_high": None}, VERSION, missing)
    total = float(sum(answers[key] or 0 for key in ITEMS))
    high = PROTOCOL.stratification.stratum_for(total) == PROTOCOL.stratification.high
    return ScoreResult(total, {"stratum_high": 1.0 if high else 0.0}, VERSION, [])


DEFINITION = Instrument(
    name=NAME,
    title=Text("Lumbar Spine Instability Questionnaire", "Questionnaire d'instabilité lombaire"),
    version=VERSION,
    source="Macedo LG et al. Phys Ther 2014;94(11):1543-54 (score and the >= 9 cut-off).",
    licence="Item wording from the published figure; not reproduced here.",
    sections=(
        Section(
            Text("Items"),
            tuple(
                Item(key, Text(f"Item {n}", f"Question {n}"), choices=YES_NO)
                for n, key in enumerate(ITEMS, start=1)
            ),
        ),
    ),
    scorer=_score,
)
