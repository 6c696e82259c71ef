"""Oswestry Disability Index v2.1a (licensed text: short section labels only).

Source: Fairbank & Pynsent 2000, Spine 25(22):2940-52; formula restated in
``shared/reference/instruments.md`` §1. Items 0-5 in printed order.

Missing sections: one missing or not applicable section shrinks the denominator by 5 (Fairbank
2000). Fairbank says nothing about two or more; this library then returns no total (as
awell-score does), so a score never rests on fewer than 9 of 10 sections. A trial SAP wanting
"up to 2 missing" changes MAX_MISSING and the version.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import ScoreResult, check_items

NAME = "odi"
VERSION = "odi-2.1a"
ITEMS = tuple(f"odi_{i:02d}" for i in range(1, 11))
LABELS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life (if applicable)",
    "Social life",
    "Travelling",
)
MAX_MISSING = 1


def score(responses: Mapping[str, object]) -> ScoreResult:
    answers, missing = check_items(NAME, responses, ITEMS, 0, 5)
    if len(missing) > MAX_MISSING:
        return ScoreResult(None, {}, VERSION, missing)
    total = 100.0 * sum(answers.values()) / (5 * len(answers))
    return ScoreResult(total, {}, VERSION, missing)
