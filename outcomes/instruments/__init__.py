"""Scoring library: ``score(name, responses) -> ScoreResult`` (pure Python, no Django).

Each instrument module holds its items, allowed values, labels, scoring rule, version and source
citation in one ``DEFINITION``; the EDC renders every questionnaire form from it.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments import ipaq_short, lsiq, nprs, odi, promis29, sf12, sri
from outcomes.instruments.base import Instrument, InvalidResponse, ScoreResult

DEFINITIONS: dict[str, Instrument] = {
    module.DEFINITION.name: module.DEFINITION
    for module in (odi, promis29, sf12, ipaq_short, lsiq, sri, nprs)
}
INSTRUMENTS = tuple(DEFINITIONS)


def definition(name: str) -> Instrument:
    try:
        return DEFINITIONS[name]
    except KeyError:
        raise KeyError(f"Unknown instrument {name!r}; known: {', '.join(INSTRUMENTS)}") from None


def score(name: str, responses: Mapping[str, object]) -> ScoreResult:
    """Score one completed questionnaire; ``InvalidResponse`` names the offending item."""
    return definition(name).score(responses)


__all__ = ["DEFINITIONS", "INSTRUMENTS", "InvalidResponse", "ScoreResult", "definition", "score"]
