"""What every instrument returns, and the validation they share (pure Python)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class InvalidResponse(ValueError):
    """An item is unknown, or its value is outside the instrument's allowed values."""

    def __init__(self, instrument: str, item: str, value: object, allowed: str) -> None:
        self.item = item
        super().__init__(f"{instrument}: item {item!r} has value {value!r}; allowed: {allowed}.")


@dataclass(frozen=True)
class ScoreResult:
    total: float | None
    subscores: dict[str, float | None] = field(default_factory=dict)
    version: str = ""
    missing: list[str] = field(default_factory=list)


def check_items(
    instrument: str,
    responses: Mapping[str, object],
    items: Iterable[str],
    low: int,
    high: int,
) -> tuple[dict[str, int], list[str]]:
    """Validate integer items in [low, high] (None = not answered); return (answers, missing)."""
    known = list(items)
    for key in responses:
        if key not in known:
            raise InvalidResponse(instrument, key, responses[key], f"one of the items {known}")
    answers: dict[str, int] = {}
    missing: list[str] = []
    for item in known:
        value = responses.get(item)
        if value is None:
            missing.append(item)
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidResponse(instrument, item, value, f"an integer {low}-{high} or None")
        answers[item] = value
    return answers, missing
