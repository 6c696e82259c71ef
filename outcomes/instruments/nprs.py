"""Numeric Pain Rating Scale, 0 (no pain) to 10 (worst imaginable); the total is the rating."""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import ScoreResult, check_items

NAME = "nprs"
VERSION = "nprs-11pt"
ITEMS = ("nprs",)


def score(responses: Mapping[str, object]) -> ScoreResult:
    answers, missing = check_items(NAME, responses, ITEMS, 0, 10)
    return ScoreResult(float(answers["nprs"]) if answers else None, {}, VERSION, missing)
