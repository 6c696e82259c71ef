"""Scores for display: rounded to one decimal here and only here (stored values stay exact)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outcomes.models import InstrumentResponse

CATEGORY_LABELS = {
    1.0: gettext_lazy("low"),
    2.0: gettext_lazy("moderate"),
    3.0: gettext_lazy("high"),
}
LABELS = {
    "physical_function": gettext_lazy("Physical function T"),
    "anxiety": gettext_lazy("Anxiety T"),
    "depression": gettext_lazy("Depression T"),
    "fatigue": gettext_lazy("Fatigue T"),
    "sleep_disturbance": gettext_lazy("Sleep disturbance T"),
    "social_roles": gettext_lazy("Social roles T"),
    "pain_interference": gettext_lazy("Pain interference T"),
    "pain_intensity": gettext_lazy("Pain intensity"),
    "physical_health_summary": gettext_lazy("Physical health summary"),
    "mental_health_summary": gettext_lazy("Mental health summary"),
    "pcs": "PCS-12",
    "mcs": "MCS-12",
    "vigorous": gettext_lazy("Vigorous MET-min/week"),
    "moderate": gettext_lazy("Moderate MET-min/week"),
    "walking": gettext_lazy("Walking MET-min/week"),
    "category": gettext_lazy("Category"),
    "stratum_high": gettext_lazy("High-instability stratum"),
}


def rounded(value: float | None) -> str:
    if value is None:
        return _("not scored")
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def score_lines(response: InstrumentResponse) -> list[tuple[str, str]]:
    """(label, displayed value) for the total and each subscore."""
    lines = []
    if response.total is not None or not response.subscores:
        lines.append((_("Total"), rounded(response.total)))
    order = list(LABELS)
    # jsonb does not keep key order: show subscores in the order of LABELS.
    for key, value in sorted(
        response.subscores.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    ):
        if key == "category":
            shown = str(CATEGORY_LABELS.get(value, _("not scored")))
        elif key == "stratum_high":
            shown = _("yes") if value == 1.0 else _("no") if value == 0.0 else _("not scored")
        else:
            shown = rounded(value)
        lines.append((str(LABELS.get(key, key)), shown))
    return lines
