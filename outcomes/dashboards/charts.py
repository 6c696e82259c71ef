"""Small server-drawn SVG charts (no JavaScript library): the actigraphy day plot, the MedX
strength curve against the visit's other test, and weekly pain. Values are escaped numbers and
fixed labels only, so the markup is safe to mark as such."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import numpy as np
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from outcomes.actigraphy.sleep import runs

WIDTH, DAY_HEIGHT, LEFT = 720, 70, 78


def _svg(height: int, body: list[str], label: str) -> SafeString:
    return mark_safe(  # numbers and escaped labels only
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" class="w-100">' + "".join(body) + "</svg>"
    )


def no_data(label: str) -> SafeString:
    """An empty chart that says so, in the reader's language."""
    words = escape(_("No data yet."))
    return _svg(40, [f'<text x="4" y="20" font-size="12">{words}</text>'], label)


def _band(x0: float, x1: float, top: int, fill: str) -> str:
    return (
        f'<rect x="{x0:.1f}" y="{top + 2}" width="{max(x1 - x0, 0.6):.1f}" '
        f'height="{DAY_HEIGHT - 6}" fill="{fill}"/>'
    )


def actigraphy_days(plot: bytes, nights: Sequence[object], diary: Sequence[object]) -> SafeString:
    """One row per noon-to-noon day: z-angle (line), activity (bars), detected sleep (blue),
    non-wear (grey), the detected onset-wake window (outline), diary time in bed (red ticks)."""
    data = np.load(io.BytesIO(plot))
    start = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(data["start"][0]))
    angle, enmo = data["anglez"], data["enmo_mg"]
    asleep, nonwear = data["sleep"], data["nonwear"]
    first_noon = dt.datetime.combine((start - dt.timedelta(hours=12)).date(), dt.time(12))
    offset = int((start - first_noon).total_seconds() // 60)
    days = (offset + len(angle)) // 1440 + 1
    span = WIDTH - LEFT - 4
    body = []
    for day in range(days):
        top = day * DAY_HEIGHT
        noon = first_noon + dt.timedelta(days=day)
        body.append(
            f'<text x="2" y="{top + 14}" font-size="11">{noon:%a %d %b}</text>'
            f'<rect x="{LEFT}" y="{top + 2}" width="{span}" height="{DAY_HEIGHT - 6}" '
            f'fill="none" stroke="#ccc"/>'
        )
        lo, hi = day * 1440 - offset, (day + 1) * 1440 - offset
        minutes = range(max(lo, 0), min(hi, len(angle)))

        def x(minute: int, lo: int = lo) -> float:
            return LEFT + (minute - lo) * span / 1440

        for flags, fill in ((nonwear, "#bbb"), (asleep, "#cfe2ff")):
            inside = np.zeros(1440, dtype=bool)
            inside[minutes.start - lo : minutes.stop - lo] = flags[minutes.start : minutes.stop]
            for a, b in zip(*runs(inside), strict=True):
                body.append(_band(x(lo + a), x(lo + b), top, fill))
        bars = [
            f"M{x(m):.1f},{top + DAY_HEIGHT - 4}v{-min(float(enmo[m]) / 200, 1) * 25:.1f}"
            for m in minutes
            if np.isfinite(enmo[m]) and enmo[m] > 5
        ]
        if bars:
            body.append(f'<path d="{"".join(bars)}" stroke="#6c757d" stroke-width="0.6"/>')
        points = [
            f"{x(m):.1f},{top + 2 + (90 - float(angle[m])) / 180 * (DAY_HEIGHT - 6):.1f}"
            for m in minutes
            if np.isfinite(angle[m])
        ]
        if points:
            polyline = " ".join(points)
            body.append(f'<polyline points="{polyline}" fill="none" stroke="#212529"/>')

        def at(moment: dt.datetime | None, noon: dt.datetime = noon) -> float | None:
            if moment is None:
                return None
            minutes_in = (moment.replace(tzinfo=None) - noon).total_seconds() / 60
            return LEFT + minutes_in * span / 1440 if 0 <= minutes_in <= 1440 else None

        for night in nights:
            if night.night == noon.date() and night.sleep_onset and night.wake:
                a, b = at(night.sleep_onset), at(night.wake)
                if a is not None and b is not None:
                    body.append(
                        f'<rect x="{a:.1f}" y="{top + 1}" width="{b - a:.1f}" '
                        f'height="{DAY_HEIGHT - 4}" fill="none" stroke="#0d6efd" '
                        f'data-night="{night.night:%Y-%m-%d}"/>'
                    )
        for entry in diary:
            if entry.night == noon.date():
                for moment in (entry.into_bed, entry.out_of_bed):
                    position = at(moment)
                    if position is not None:
                        body.append(
                            f'<path d="M{position:.1f},{top + 2}v{DAY_HEIGHT - 6}" '
                            f'stroke="#dc3545" stroke-dasharray="3,2"/>'
                        )
    axis = days * DAY_HEIGHT
    for i, hour in enumerate((12, 18, 0, 6, 12)):
        tick = LEFT + i * span / 4 - 8
        body.append(f'<text x="{tick:.1f}" y="{axis + 12}" font-size="10">{hour:02d}:00</text>')
    return _svg(axis + 16, body, "Actigraphy by day: angle, activity, sleep and diary times")


def line_chart(
    series: dict[str, list[tuple[float, float | None]]],
    x_label: str,
    y_label: str,
    x_ticks: Sequence[float],
    label: str,
) -> SafeString:
    """Lines of (x, y) points, one per series name (a gap where y is None)."""
    height, bottom, top = 220, 190, 10
    colours = ["#0d6efd", "#dc3545", "#198754"]
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points if y is not None]
    if not xs or not ys:
        return no_data(label)
    x0, x1 = min(min(xs), min(x_ticks)), max(max(xs), max(x_ticks))
    y1 = max(ys) * 1.1 or 1.0
    span = WIDTH - LEFT - 10

    def px(x: float) -> float:
        return LEFT + (x - x0) / ((x1 - x0) or 1) * span

    def py(y: float) -> float:
        return bottom - y / y1 * (bottom - top)

    body = [
        f'<path d="M{LEFT},{top}V{bottom}H{WIDTH - 10}" fill="none" stroke="#888"/>',
        f'<text x="2" y="{top + 10}" font-size="11">{escape(y_label)}</text>',
        f'<text x="{LEFT}" y="{height - 4}" font-size="11">{escape(x_label)}</text>',
        f'<text x="{LEFT - 30}" y="{py(y1) + 4:.1f}" font-size="10">{y1:.0f}</text>',
    ]
    for tick in x_ticks:
        body.append(
            f'<text x="{px(tick) - 6:.1f}" y="{bottom + 14}" font-size="10">{tick:g}</text>'
        )
    for (name, points), colour in zip(series.items(), colours, strict=False):
        path, pen_up = [], True
        for x, y in points:
            if y is None:
                pen_up = True
                continue
            path.append(f"{'M' if pen_up else 'L'}{px(x):.1f},{py(y):.1f}")
            pen_up = False
            body.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{colour}"/>')
        line = "".join(path)
        body.append(
            f'<path d="{line}" fill="none" stroke="{colour}" data-series="{escape(name)}"/>'
        )
    legend = " · ".join(escape(n) for n in series)
    body.append(f'<text x="{WIDTH - 260}" y="{top + 10}" font-size="11">{legend}</text>')
    return _svg(height, body, label)
