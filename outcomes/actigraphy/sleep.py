"""Sleep detection on the z-angle of 5-second epochs, ported from GGIR (``R/HASIB.R``,
``R/HASPT.R``) and checked against GGIR's own test vectors.

``sib_vanhees2015``: sustained inactivity bouts (van Hees 2015, PLoS One 10:e0142533).
``hdcza_spt``: the sleep-period-time window without a diary (van Hees 2018, Sci Rep 8:12975).

Indices are 0-based; ``hdcza_spt`` returns GGIR's ``(SPTE_start, SPTE_end)``, which read in
0-based terms as the half-open epoch range ``[start, end)``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def sib_vanhees2015(
    anglez: np.ndarray,
    epoch_s: int = 5,
    time_threshold_min: float = 5,
    angle_threshold_deg: float = 5,
) -> np.ndarray:
    """Epochs in a sustained inactivity bout: no change of the z-angle above
    ``angle_threshold_deg`` between consecutive epochs for more than ``time_threshold_min``
    (GGIR's ``T5A5``). Both posture-change epochs bounding a bout are in it. With no long gap and
    fewer than 10 posture changes the whole window is flagged (a device not worn)."""
    angle = np.asarray(anglez, dtype=np.float64)
    flags = np.zeros(len(angle), dtype=bool)
    changes = np.flatnonzero(np.abs(np.diff(angle)) > angle_threshold_deg)
    gaps = np.empty(0, dtype=np.int64)
    if len(changes) > 1:
        gaps = np.flatnonzero(np.diff(changes) > time_threshold_min * (60 / epoch_s))
    if len(gaps):
        for g in gaps:
            flags[changes[g] : changes[g + 1] + 1] = True
    elif len(changes) < 10:
        flags[:] = True
    return flags


def _rolling_median_abs_diff(angle: np.ndarray, width: int) -> np.ndarray:
    """zoo::rollapply(angle, width, median(abs(diff(.))), fill = 0), centre-aligned: the
    window of position i covers ``i - (width-1)//2 .. i + width//2``."""
    out = np.zeros(len(angle))
    if len(angle) < width:
        return out
    windows = sliding_window_view(angle, width)
    values = np.median(np.abs(np.diff(windows, axis=1)), axis=1)
    left = (width - 1) // 2
    out[left : left + len(values)] = values
    return out


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and (exclusive) end of each run of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def hdcza_threshold(
    anglez: np.ndarray, epoch_s: int = 5, percentile: float = 10, factor: float = 15
) -> tuple[np.ndarray, float]:
    """The 5-minute rolling median of |Δ z-angle| and the no-movement threshold, clamped to
    0.13-0.50 degrees as in GGIR."""
    x = _rolling_median_abs_diff(np.asarray(anglez, dtype=np.float64), 5 * (60 // epoch_s))
    threshold = float(np.quantile(x, percentile / 100) * factor)
    return x, min(max(threshold, 0.13), 0.50)


def hdcza_spt(
    anglez: np.ndarray,
    epoch_s: int = 5,
    min_block_min: float = 30,
    max_gap_min: float = 60,
    invalid: np.ndarray | None = None,
    ignore_invalid: bool = False,
) -> tuple[int, int] | None:
    """The sleep-period-time window ``(start, end)`` of one noon-to-noon day: no-movement runs
    longer than ``min_block_min``, gaps shorter than ``max_gap_min`` filled, the longest block
    kept (the middle one on a tie). ``None`` when no run is long enough."""
    x, threshold = hdcza_threshold(anglez, epoch_s)
    n = len(x)
    invalid = np.zeros(n, dtype=bool) if invalid is None else np.asarray(invalid, dtype=bool)[:n]
    nomov = x < threshold
    if ignore_invalid:
        nomov &= ~invalid
    per_min = 60 / epoch_s
    starts, ends = runs(nomov)
    # GGIR compares e1 - s1 on its padded diff, which is the run length.
    long_enough = (ends - starts) > per_min * min_block_min
    if not long_enough.any() or invalid.all():
        return None
    in_spt = np.zeros(n, dtype=bool)
    for s, e in zip(starts[long_enough], ends[long_enough], strict=True):
        in_spt[s : e + 1] = True  # GGIR marks s2:e2 inclusive of its (1-based) end index
    gap_starts, gap_ends = runs(~in_spt)
    inner = (gap_starts > 0) & (gap_ends < n)
    for s, e in zip(gap_starts[inner], gap_ends[inner], strict=True):
        if e - s < per_min * max_gap_min:
            in_spt[s : e + 1] = True
    block_starts, block_ends = runs(in_spt)
    durations = block_ends - block_starts
    longest = np.flatnonzero(durations == durations.max())
    pick = longest[int(np.ceil(len(longest) / 2)) - 1]
    return int(block_starts[pick]), int(block_ends[pick])
