"""PROMIS-29 Profile v2.0: seven 4-item short forms scored by sum-score conversion, plus the
0-10 pain intensity item, plus the physical and mental health summary scores.

Sources (see ``shared/reference/instruments.md`` §2):
- Item IDs and the printed scores of each answer: HealthMeasures PROMIS-29 v2.0 form, as listed
  in ``instrument-tables/promis29_items.csv``. Values entered are the printed scores, so the
  reversed items (Sleep109, Sleep116, social roles) need no recoding here.
- Raw-to-T tables: ``promis29_tables`` (source A, checked entry by entry against the CSV).
- Missing items (HealthMeasures scoring manual, as generally understood): with at least 2 of 4
  items answered the raw sum is prorated, ``raw x 4 / answered``, and a fractional result is
  ROUNDED UP before the table lookup (the manual's "round up"; the APA-style "nearest whole
  number" gives a different T in some cases, e.g. 45.5 vs 43.5). Fewer than 2: no T-score.
- Summary scores: Hays RD et al. 2018, Qual Life Res 27:1885 (PMC5999556) weights, as listed in
  ``instrument-tables/promis29_summary_weights.csv``; pain intensity z = (NRS - 2.31) / 2.34.
  A summary needs every one of its components.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from outcomes.instruments.base import Instrument, ScoreResult, Section, Text, answered
from outcomes.instruments.promis29_items import DOMAINS, PAIN_INTENSITY
from outcomes.instruments.promis29_tables import T_SCORES, TABLE_SOURCE

NAME = "promis29"
VERSION = f"promis29-v2.0-sum-{TABLE_SOURCE}-prorate-ceil"
MIN_ANSWERED = 2
ITEMS_PER_DOMAIN = 4


ITEMS = (*tuple(item.key for _, items in DOMAINS.values() for item in items), "Global07")

# Hays et al. 2018 (PMC5999556) weights: component -> (physical, mental).
SUMMARY_WEIGHTS: dict[str, tuple[float, float]] = {
    "physical_function": (0.872, -0.015),
    "pain_composite": (-0.094, -0.154),
    "social_roles": (0.113, 0.252),
    "fatigue": (-0.009, -0.351),
    "emotional_distress_composite": (0.003, -0.257),
    "sleep_disturbance": (0.002, -0.139),
}
PAIN_INTENSITY_MEAN, PAIN_INTENSITY_SD = 2.31, 2.34


def score(responses: Mapping[str, object]) -> ScoreResult:
    return DEFINITION.score(responses)


def raw_score(values: list[int]) -> int | None:
    """The domain's raw sum, prorated (rounded up) when 2 or 3 of its 4 items are answered."""
    if len(values) < MIN_ANSWERED:
        return None
    if len(values) == ITEMS_PER_DOMAIN:
        return sum(values)
    return math.ceil(sum(values) * ITEMS_PER_DOMAIN / len(values))


def t_score(domain: str, raw: int | None) -> float | None:
    return None if raw is None else T_SCORES[domain][raw][0]


def summary_scores(subscores: Mapping[str, float | None]) -> tuple[float | None, float | None]:
    """PROMIS-29 physical and mental health summary T-scores (None unless all parts exist)."""
    if any(subscores[name] is None for name in (*T_SCORES, "pain_intensity")):
        return None, None
    z = {name: (subscores[name] - 50.0) / 10.0 for name in T_SCORES}  # type: ignore[operator]
    pain_z = (subscores["pain_intensity"] - PAIN_INTENSITY_MEAN) / PAIN_INTENSITY_SD  # type: ignore[operator]
    components = {
        "physical_function": z["physical_function"],
        "pain_composite": (z["pain_interference"] + pain_z) / 2,
        "social_roles": z["social_roles"],
        "fatigue": z["fatigue"],
        "emotional_distress_composite": (z["depression"] + z["anxiety"]) / 2,
        "sleep_disturbance": z["sleep_disturbance"],
    }
    physical = sum(SUMMARY_WEIGHTS[k][0] * v for k, v in components.items())
    mental = sum(SUMMARY_WEIGHTS[k][1] * v for k, v in components.items())
    return 50.0 + 10.0 * physical, 50.0 + 10.0 * mental


def _score(answers: Mapping[str, int | None]) -> ScoreResult:
    subscores: dict[str, float | None] = {}
    notes: list[str] = []
    for domain, (_, items) in DOMAINS.items():
        given = list(answered(answers, [item.key for item in items]).values())
        subscores[domain] = t_score(domain, raw_score(given))
        if ITEMS_PER_DOMAIN - len(given) > 0 and subscores[domain] is not None:
            notes.append(f"{domain}: prorated from {len(given)} of 4 items.")
        elif subscores[domain] is None:
            notes.append(f"{domain}: {len(given)} of 4 items answered; no T-score.")
    pain = answers["Global07"]
    subscores["pain_intensity"] = None if pain is None else float(pain)
    subscores["physical_health_summary"], subscores["mental_health_summary"] = summary_scores(
        subscores
    )
    missing = [key for key in ITEMS if answers[key] is None]
    return ScoreResult(None, subscores, VERSION, missing, tuple(notes))


def _soft_checks(answers: Mapping[str, int | None]) -> list[Text]:
    warnings = []
    for _domain, (title, items) in DOMAINS.items():
        given = len(answered(answers, [item.key for item in items]))
        if given < MIN_ANSWERED:
            warnings.append(
                Text(
                    f"{title.en}: {given} of 4 items answered, so no T-score.",
                    f"{title.fr}: {given} questions sur 4, donc pas de score T.",
                )
            )
    return warnings


DEFINITION = Instrument(
    name=NAME,
    title=Text("PROMIS-29 Profile v2.0", "Profil PROMIS-29 v2.0"),
    version=VERSION,
    source=(
        "HealthMeasures PROMIS Adult Profile Scoring Manual (sum-score tables, proration); "
        "Hays RD et al. Qual Life Res 2018;27:1885-91 (summary scores)."
    ),
    licence="PROMIS: free to use under HealthMeasures terms; items must not be modified.",
    sections=(
        *(Section(title, items) for title, items in DOMAINS.values()),
        Section(Text("Pain intensity", "Intensité de la douleur"), (PAIN_INTENSITY,)),
    ),
    scorer=_score,
    soft_checks=_soft_checks,
)
