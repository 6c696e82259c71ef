"""Scoring library: ``score(name, responses) -> ScoreResult`` (pure Python, no Django).

Each instrument module holds its items, scoring rule, version and source citation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from outcomes.instruments import lsiq, nprs, odi
from outcomes.instruments.base import InvalidResponse, ScoreResult

_SCORERS: Mapping[str, Callable[[Mapping[str, object]], ScoreResult]] = {
    module.NAME: module.score for module in (odi, lsiq, nprs)
}
INSTRUMENTS = tuple(_SCORERS)


def score(name: str, responses: Mapping[str, object]) -> ScoreResult:
    try:
        scorer = _SCORERS[name]
    except KeyError:
        raise KeyError(f"Unknown instrument {name!r}; known: {', '.join(INSTRUMENTS)}") from None
    return scorer(responses)


__all__ = ["INSTRUMENTS", "InvalidResponse", "ScoreResult", "score"]
