"""IPAQ short form (last 7 days): MET-minutes per week and the low/moderate/high category.

Source: IPAQ Research Committee, "Guidelines for data processing and analysis of the IPAQ,
short and long forms", revised November 2005, as restated in ``shared/reference/instruments.md``
§4 (the truncation rule and its worked example confirmed by a second summary). MET values
(walking 3.3, moderate 4.0, vigorous 8.0) from ``instrument-tables/ipaq_met_values.csv``.

Processing, in the guidelines' order:
1. Cleaning: days 0-7 and minutes per day 0-1440 (anything else is refused as invalid). A
   category with days > 0 but no minutes, or no days at all, excludes the case (no scores).
   Days = 0 means none of that activity, whatever the minutes say.
2. Outliers: walking + moderate + vigorous minutes per day over 960 exclude the case.
3. Minimum bout: under 10 minutes per day counts as 0 minutes and 0 days.
4. Truncation: over 180 minutes per day counts as 180 (at most 21 hours a week per category).
   The category is computed on truncated data (the guidelines' worked example).

Category (choices pinned here, since the guidelines leave them open):
- HIGH: vigorous on >= 3 days and >= 1500 MET-min/week; or >= 7 days of any combination
  (days summed over the three categories) and >= 3000 MET-min/week.
- MODERATE: >= 3 days of vigorous of >= 20 min/day; or >= 5 days of moderate and/or walking of
  >= 30 min/day, counted as the days of moderate when moderate is >= 30 min/day plus the days
  of walking when walking is >= 30 min/day; or >= 5 days of any combination and >= 600
  MET-min/week.
- LOW: everything else. Sitting is reported as it is and is not part of any score.
"""

from __future__ import annotations

from collections.abc import Mapping

from outcomes.instruments.base import Instrument, Item, ScoreResult, Section, Text

NAME = "ipaq_short"
VERSION = "ipaq-short-2005"
MET = {"vigorous": 8.0, "moderate": 4.0, "walking": 3.3}
CATEGORIES = {"vigorous": "vig", "moderate": "mod", "walking": "walk"}
LOW, MODERATE, HIGH = 1.0, 2.0, 3.0
MAX_MINUTES_PER_DAY = 1440
OUTLIER_MINUTES = 960
TRUNCATE_MINUTES = 180
MIN_BOUT_MINUTES = 10
ITEMS = (
    "vig_days",
    "vig_minutes",
    "mod_days",
    "mod_minutes",
    "walk_days",
    "walk_minutes",
    "sit_minutes",
)
NO_SCORES = dict.fromkeys(("vigorous", "moderate", "walking", "category"))


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def _excluded(reason: str, missing: list[str]) -> ScoreResult:
    return ScoreResult(None, dict(NO_SCORES), VERSION, missing, (reason,))


def cleaned(answers: Mapping[str, int | None]) -> dict[str, tuple[int, int]] | str:
    """(days, minutes per day) per category after the guideline rules, or why it is excluded."""
    raw: dict[str, tuple[int, int]] = {}
    for category, prefix in CATEGORIES.items():
        days, minutes = answers[f"{prefix}_days"], answers[f"{prefix}_minutes"]
        if days is None:
            return f"{category}: number of days missing; case excluded."
        if days > 0 and minutes is None:
            return f"{category}: {days} days but no time per day; case excluded."
        raw[category] = (days, minutes or 0) if days > 0 else (0, 0)
    if sum(minutes for _, minutes in raw.values()) > OUTLIER_MINUTES:
        return f"more than {OUTLIER_MINUTES} minutes of activity per day; case excluded."
    clean = {}
    for category, (days, minutes) in raw.items():
        if minutes < MIN_BOUT_MINUTES:
            days, minutes = 0, 0
        clean[category] = (days, min(minutes, TRUNCATE_MINUTES))
    return clean


def category(clean: Mapping[str, tuple[int, int]], met: Mapping[str, float]) -> float:
    total = sum(met.values())
    vig_days, vig_minutes = clean["vigorous"]
    all_days = sum(days for days, _ in clean.values())
    if (vig_days >= 3 and total >= 1500) or (all_days >= 7 and total >= 3000):
        return HIGH
    long_days = sum(
        days for name in ("moderate", "walking") for days, m in [clean[name]] if m >= 30
    )
    if (vig_days >= 3 and vig_minutes >= 20) or long_days >= 5 or (all_days >= 5 and total >= 600):
        return MODERATE
    return LOW


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    missing = [key for key in ITEMS if answers[key] is None]
    clean = cleaned(answers)
    if isinstance(clean, str):
        return _excluded(clean, missing)
    met = {name: MET[name] * minutes * days for name, (days, minutes) in clean.items()}
    notes = tuple(
        f"{name}: {answers[f'{prefix}_minutes']} min/day truncated to {TRUNCATE_MINUTES}."
        for name, prefix in CATEGORIES.items()
        if (answers[f"{prefix}_minutes"] or 0) > TRUNCATE_MINUTES and clean[name][0]
    )
    subscores: dict[str, float | None] = {**met, "category": category(clean, met)}
    return ScoreResult(sum(met.values()), subscores, VERSION, missing, notes)


def _soft_checks(answers: Mapping[str, int | None]) -> list[Text]:
    warnings = []
    for name, prefix in CATEGORIES.items():
        days, minutes = answers[f"{prefix}_days"], answers[f"{prefix}_minutes"]
        if days and not minutes:
            warnings.append(
                Text(
                    f"{name}: {days} days with 0 or no minutes per day.",
                    f"{name} : {days} jours avec 0 minute ou sans durée.",
                )
            )
        elif days and minutes and minutes < MIN_BOUT_MINUTES:
            warnings.append(
                Text(
                    f"{name}: {minutes} min/day is under 10 and will count as none.",
                    f"{name} : {minutes} min/jour, moins de 10, compté comme nul.",
                )
            )
        elif days and minutes and minutes > TRUNCATE_MINUTES:
            warnings.append(
                Text(
                    f"{name}: {minutes} min/day (over 3 hours) will count as 180.",
                    f"{name} : {minutes} min/jour (plus de 3 heures) compté comme 180.",
                )
            )
    active = sum(
        (answers[f"{p}_minutes"] or 0) for p in CATEGORIES.values() if answers[f"{p}_days"]
    )
    if active > OUTLIER_MINUTES:
        warnings.append(
            Text(
                f"{active} minutes of activity per day (over 16 hours): the case is excluded.",
                f"{active} minutes d'activité par jour (plus de 16 heures) : cas exclu.",
            )
        )
    return warnings


def _pair(prefix: str, en: str, fr: str) -> tuple[Item, Item]:
    return (
        Item(
            f"{prefix}_days",
            Text(f"{en}: days in the last 7", f"{fr} : jours sur les 7 derniers"),
            low=0,
            high=7,
            unit=Text("days", "jours"),
        ),
        Item(
            f"{prefix}_minutes",
            Text(f"{en}: usual time on one of those days", f"{fr} : durée habituelle par jour"),
            low=0,
            high=MAX_MINUTES_PER_DAY,
            unit=Text("minutes per day", "minutes par jour"),
        ),
    )


DEFINITION = Instrument(
    name=NAME,
    title=Text("IPAQ short form (last 7 days)", "IPAQ version courte (7 derniers jours)"),
    version=VERSION,
    source="IPAQ Research Committee, Guidelines for data processing and analysis, Nov 2005.",
    licence="Public domain.",
    sections=(
        Section(
            Text("Vigorous activity", "Activité physique intense"),
            _pair("vig", "Vigorous activity", "Activité intense"),
        ),
        Section(
            Text("Moderate activity", "Activité physique modérée"),
            _pair("mod", "Moderate activity", "Activité modérée"),
        ),
        Section(Text("Walking", "Marche"), _pair("walk", "Walking", "Marche")),
        Section(
            Text("Sitting", "Position assise"),
            (
                Item(
                    "sit_minutes",
                    Text("Time spent sitting on a weekday", "Temps assis un jour de semaine"),
                    low=0,
                    high=MAX_MINUTES_PER_DAY,
                    unit=Text("minutes per day", "minutes par jour"),
                ),
            ),
        ),
    ),
    scorer=_score,
    soft_checks=_soft_checks,
)
