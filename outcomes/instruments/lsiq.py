"""Lumbar Spine Instability Questionnaire: 15 yes/no items, total 0-15 (item wording not held).

Source: Macedo et al. 2014, Phys Ther 94(11):1543 (score = number of "yes"; >= 9 is "high
instability"); the cut-off is the protocol's (trial.protocol). No published missing-item rule:
the stratification variable is never prorated, so any missing item gives no total.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import ScoreResult, check_items
from trial.protocol import PROTOCOL

NAME = "lsiq"
VERSION = "lsiq-macedo2014"
ITEMS = tuple(f"lsiq_{i:02d}" for i in range(1, 16))


def score(responses: Mapping[str, object]) -> ScoreResult:
    answers, missing = check_items(NAME, responses, ITEMS, 0, 1)
    if missing:
        return ScoreResult(None, {"stratum_high": None}, VERSION, missing)
    total = float(sum(answers.values()))
    high = PROTOCOL.stratification.stratum_for(total) == PROTOCOL.stratification.high
    return ScoreResult(total, {"stratum_high": 1.0 if high else 0.0}, VERSION, [])
