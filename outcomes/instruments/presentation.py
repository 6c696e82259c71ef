"""Scores for display: rounded to one decimal here and only here (stored values stay exact)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from outcomes.models import InstrumentResponse

CATEGORY_LABELS = {1.0: "low", 2.0: "moderate", 3.0: "high"}
LABELS = {
    "physical_function": "Physical function T",
    "anxiety": "Anxiety T",
    "depression": "Depression T",
    "fatigue": "Fatigue T",
    "sleep_disturbance": "Sleep disturbance T",
    "social_roles": "Social roles T",
    "pain_interference": "Pain interference T",
    "pain_intensity": "Pain intensity",
    "physical_health_summary": "Physical health summary",
    "mental_health_summary": "Mental health summary",
    "pcs": "PCS-12",
    "mcs": "MCS-12",
    "vigorous": "Vigorous MET-min/week",
    "moderate": "Moderate MET-min/week",
    "walking": "Walking MET-min/week",
    "category": "Category",
    "stratum_high": "High-instability stratum",
}


def rounded(value: float | None) -> str:
    if value is None:
        return "not scored"
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def score_lines(response: InstrumentResponse) -> list[tuple[str, str]]:
    """(label, displayed value) for the total and each subscore."""
    lines = []
    if response.total is not None or not response.subscores:
        lines.append(("Total", rounded(response.total)))
    order = list(LABELS)
    # jsonb does not keep key order: show subscores in the order of LABELS.
    for key, value in sorted(
        response.subscores.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        if key == "category":
            shown = CATEGORY_LABELS.get(value, "not scored")
        elif key == "stratum_high":
            shown = "yes" if value == 1.0 else "no" if value == 0.0 else "not scored"
        else:
            shown = rounded(value)
        lines.append((LABELS.get(key, key), shown))
    return lines
