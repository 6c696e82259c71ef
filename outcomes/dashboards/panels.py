"""Server-drawn SVG charts of the dashboards: box plots of an outcome by visit (pooled, or one
box per arm), horizontal bars, and cumulative recruitment against the target. Numbers and escaped
labels only, like ``outcomes.dashboards.charts``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from outcomes.dashboards.charts import WIDTH, _svg, no_data

COLOURS = ("#0d6efd", "#dc3545", "#198754", "#6f42c1")


@dataclass(frozen=True)
class Summary:
    """Five-number summary (Tukey hinges by linear interpolation) of one group."""

    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary | None:
        if not values:
            return None
        a = np.asarray(values, dtype=float)
        q1, median, q3 = np.percentile(a, [25, 50, 75])
        return cls(len(a), float(a.min()), float(q1), float(median), float(q3), float(a.max()),
                   float(a.mean()))  # fmt: skip


def box_plot(groups: Mapping[str, Mapping[str, Summary | None]], label: str) -> SafeString:
    """``groups``: visit -> series (pooled, or one per arm) -> summary. One row of boxes per
    visit, drawn on a shared horizontal axis."""
    summaries = [s for series in groups.values() for s in series.values() if s is not None]
    if not summaries:
        return no_data(label)
    low = min(s.minimum for s in summaries)
    high = max(s.maximum for s in summaries)
    span = (high - low) or 1.0
    left, right, row = 150, WIDTH - 20, 22

    def px(v: float) -> float:
        return left + (v - low) / span * (right - left)

    body, y = [], 8
    series_names = list(dict.fromkeys(n for series in groups.values() for n in series))
    for visit, series in groups.items():
        body.append(f'<text x="4" y="{y + 14}" font-size="11" font-weight="bold">'
                    f"{escape(visit)}</text>")  # fmt: skip
        for name, summary in series.items():
            colour = COLOURS[series_names.index(name) % len(COLOURS)]
            text = f"{escape(name)} (n={summary.n if summary else 0})"
            body.append(f'<text x="12" y="{y + row + 10}" font-size="10">{text}</text>')
            if summary is not None:
                mid = y + row + 6
                body.append(
                    f'<line x1="{px(summary.minimum):.1f}" x2="{px(summary.maximum):.1f}" '
                    f'y1="{mid}" y2="{mid}" stroke="{colour}"/>'
                    f'<rect x="{px(summary.q1):.1f}" y="{mid - 7}" '
                    f'width="{max(px(summary.q3) - px(summary.q1), 1):.1f}" height="14" '
                    f'fill="{colour}" fill-opacity="0.25" stroke="{colour}"/>'
                    f'<line x1="{px(summary.median):.1f}" x2="{px(summary.median):.1f}" '
                    f'y1="{mid - 7}" y2="{mid + 7}" stroke="{colour}" stroke-width="2" '
                    f'data-median="{summary.median:g}"/>'
                )
            y += row
        y += row
    axis = y + 4
    body.append(f'<path d="M{left},{axis}H{right}" stroke="#888"/>')
    for tick in np.linspace(low, high, 5):
        body.append(f'<text x="{px(tick) - 10:.1f}" y="{axis + 14}" font-size="10">'
                    f"{tick:.3g}</text>")  # fmt: skip
    return _svg(axis + 20, body, label)


def bar_chart(bars: Sequence[tuple[str, float, str]], label: str, unit: str = "") -> SafeString:
    """Horizontal bars: (label, value, caption); values share one scale from zero."""
    if not bars:
        return no_data(label)
    top = max(v for _l, v, _c in bars) or 1.0
    left, right, row = 220, WIDTH - 120, 20
    body = []
    for index, (name, value, caption) in enumerate(bars):
        y = 6 + index * row
        width = value / top * (right - left)
        body.append(
            f'<text x="4" y="{y + 12}" font-size="11">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{row - 6}" '
            f'fill="{COLOURS[0]}" fill-opacity="0.7"/>'
            f'<text x="{left + width + 4:.1f}" y="{y + 12}" font-size="10">'
            f"{value:g}{escape(unit)} {escape(caption)}</text>"
        )
    return _svg(len(bars) * row + 10, body, label)


def recruitment_chart(dates: Sequence[dt.date], target: int, start: dt.date | None,
                      end: dt.date | None) -> SafeString:  # fmt: skip
    """Cumulative randomisations over time with the target as a horizontal line (and the planned
    straight-line path when the recruitment period is known)."""
    label = _("Randomised over time against the target of %(target)s") % {"target": target}
    if not dates:
        words = escape(_("No one randomised yet."))
        return _svg(40, [f'<text x="4" y="20" font-size="12">{words}</text>'], label)
    ordered = sorted(dates)
    first = min(ordered[0], start or ordered[0])
    last = max(ordered[-1], end or ordered[-1], dt.date.today())
    days = max((last - first).days, 1)
    height, bottom, top, left = 220, 190, 10, 60
    right = WIDTH - 10

    def px(day: dt.date) -> float:
        return left + (day - first).days / days * (right - left)

    def py(n: float) -> float:
        return bottom - n / target * (bottom - top)

    steps = [f"M{px(first):.1f},{py(0):.1f}"]
    for count, day in enumerate(ordered, start=1):
        steps.append(f"H{px(day):.1f}V{py(count):.1f}")
    steps.append(f"H{px(last):.1f}")
    body = [
        f'<path d="M{left},{top}V{bottom}H{right}" fill="none" stroke="#888"/>',
        f'<path d="M{left},{py(target):.1f}H{right}" stroke="#dc3545" stroke-dasharray="4 3"/>',
        f'<text x="{left + 4}" y="{py(target) - 3:.1f}" font-size="10">target {target}</text>',
        f'<path d="{"".join(steps)}" fill="none" stroke="{COLOURS[0]}" stroke-width="2" '
        f'data-randomised="{len(ordered)}"/>',
        f'<text x="4" y="{py(len(ordered)) + 4:.1f}" font-size="10">{len(ordered)}</text>',
        f'<text x="{left}" y="{height - 4}" font-size="10">{first.isoformat()}</text>',
        f'<text x="{right - 60}" y="{height - 4}" font-size="10">{last.isoformat()}</text>',
    ]
    if start and end:
        body.append(f'<path d="M{px(start):.1f},{py(0):.1f}L{px(end):.1f},{py(target):.1f}" '
                    'stroke="#adb5bd" stroke-dasharray="2 3" fill="none"/>')  # fmt: skip
    return _svg(height, body, label)
