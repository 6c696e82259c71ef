"""What an instrument is (items, allowed values, labels), what scoring returns, and the
validation every instrument shares. Pure Python: no Django import, so the library can score a CSV
in a notebook exactly as the EDC does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field


class InvalidResponse(ValueError):
    """An item is unknown, or its value is outside the instrument's allowed values."""

    def __init__(self, instrument: str, item: str, value: object, allowed: str) -> None:
        self.item = item
        super().__init__(f"{instrument}: item {item!r} has value {value!r}; allowed: {allowed}.")


@dataclass(frozen=True)
class ScoreResult:
    """Unrounded scores; ``missing`` lists unanswered or not-applicable items; ``notes`` says why
    a score is absent or was adjusted (e.g. IPAQ truncation), in words for the data manager."""

    total: float | None
    subscores: dict[str, float | None] = field(default_factory=dict)
    version: str = ""
    missing: list[str] = field(default_factory=list)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Text:
    """A label in English and French. French is this system's own short label for transcribing
    a paper form, not a validated translation of the instrument (those come from the licensor)."""

    en: str
    fr: str = ""

    def in_language(self, language: str) -> str:
        return self.fr if language.startswith("fr") and self.fr else self.en


@dataclass(frozen=True)
class Item:
    """One item: either ``choices`` (code -> label, shown as radio buttons) or an integer range
    ``low``..``high`` (a number box, e.g. minutes). ``None`` always means not answered."""

    key: str
    label: Text
    choices: tuple[tuple[int, Text], ...] = ()
    low: int | None = None
    high: int | None = None
    unit: Text | None = None

    def __post_init__(self) -> None:
        if not self.choices and (self.low is None or self.high is None):
            raise ValueError(f"item {self.key}: give choices or a low..high range")

    @property
    def allowed(self) -> frozenset[int] | range:
        if self.choices:
            return frozenset(code for code, _ in self.choices)
        return range(self.low, self.high + 1)  # type: ignore[operator]

    def describe_allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(str(code) for code, _ in self.choices) + " or None"
        return f"an integer {self.low}-{self.high} or None"


@dataclass(frozen=True)
class Section:
    title: Text
    items: tuple[Item, ...]
    note: Text | None = None


SoftCheck = Callable[[Mapping[str, int | None]], list[Text]]


@dataclass(frozen=True)
class Instrument:
    """An instrument's full definition: the one generic form renderer draws it, ``score`` scores
    it, ``soft_checks`` returns warnings that need a confirmation (never a refusal)."""

    name: str
    title: Text
    version: str
    source: str
    licence: str
    sections: tuple[Section, ...]
    scorer: Callable[[Mapping[str, int | None]], ScoreResult]
    soft_checks: SoftCheck = lambda answers: []

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(f"{self.name} has no item {key!r}")

    def validate(self, responses: Mapping[str, object]) -> dict[str, int | None]:
        """Every item key present (None when not answered); raises ``InvalidResponse``."""
        return validate(self.name, responses, self.items)

    def score(self, responses: Mapping[str, object]) -> ScoreResult:
        return self.scorer(self.validate(responses))


def validate(
    instrument: str, responses: Mapping[str, object], items: Iterable[Item]
) -> dict[str, int | None]:
    known = {item.key: item for item in items}
    for key in responses:
        if key not in known:
            raise InvalidResponse(
                instrument, key, responses[key], f"one of the items {list(known)}"
            )
    answers: dict[str, int | None] = {}
    for key, item in known.items():
        value = responses.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in item.allowed
        ):
            raise InvalidResponse(instrument, key, value, item.describe_allowed())
        answers[key] = value
    return answers


def answered(answers: Mapping[str, int | None], keys: Iterable[str]) -> dict[str, int]:
    return {key: answers[key] for key in keys if answers[key] is not None}  # type: ignore[misc]


def numbered(low: int, high: int, labels: Mapping[int, Text] | None = None) -> tuple:
    """Choices ``low``..``high`` labelled by their code (plus an anchor label where given)."""
    labels = labels or {}
    return tuple(
        (code, Text(f"{code} {labels[code].en}", f"{code} {labels[code].fr or labels[code].en}"))
        if code in labels
        else (code, Text(str(code)))
        for code in range(low, high + 1)
    )
