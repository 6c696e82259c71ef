"""Per-night sleep summary in GGIR's part-4 meaning, and the person's means over the week.

A night runs noon to noon and is named by the date of its evening. The guider is the sleep
diary's time in bed when the diary has it (``sleeplog``; GGIR ``sleepwindowType="TimeInBed"``),
else the HDCZA window (``HDCZA``). Sleep is the sustained inactivity bouts (van Hees 2015):

- onset = start of the first bout inside the diary's time in bed (with HDCZA: overlapping it);
- wake = end of the last such bout; SPT = wake - onset;
- TST = bout time within the SPT; WASO = SPT - TST; awakenings = wake runs inside the SPT;
- with a diary only: TIB = out of bed - into bed; SOL = onset - lights out (into bed when lights
  out is not recorded); SE = TST / TIB x 100.

Cleaning codes as GGIR: 0 diary used, 1 HDCZA used, 2 not enough valid data (under 16 valid
hours), 3 no data, 5 no sleep found in the guider window. Means use the nights GGIR's cleaned
report keeps: code 0 when any diary night exists, else codes 0-1.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

import numpy as np

from outcomes.actigraphy.epochs import Epochs
from outcomes.actigraphy.sleep import hdcza_spt, runs, sib_vanhees2015

VALID_HOURS_REQUIRED = 16
ALGORITHM = "vanHees2015-SIB+sleeplog/HDCZA"
PARAMETERS = {
    "epoch_s": 5,
    "median_window_s": 5,
    "sib_time_threshold_min": 5,
    "sib_angle_threshold_deg": 5,
    "hdcza_percentile": 10,
    "hdcza_factor": 15,
    "hdcza_threshold_clamp": [0.13, 0.5],
    "spt_min_block_min": 30,
    "spt_max_gap_min": 60,
    "nonwear": "GGIR 2013: 60-min window per 15-min block, 2 axes SD<13 mg and range<50 mg",
    "valid_hours_required": VALID_HOURS_REQUIRED,
    "night_window": "noon-noon",
}


@dataclass(frozen=True)
class DiaryNight:
    """Local (naive) times from the sleep diary for the night starting on ``night``."""

    night: dt.date
    into_bed: dt.datetime | None
    lights_out: dt.datetime | None
    final_wake: dt.datetime | None
    out_of_bed: dt.datetime | None

    @property
    def has_time_in_bed(self) -> bool:
        return self.into_bed is not None and self.out_of_bed is not None


@dataclass(frozen=True)
class NightSummary:
    night: dt.date
    guider: str  # "sleeplog", "HDCZA" or "" when nothing could be used
    cleaning_code: int
    fraction_invalid: float
    sleep_onset: dt.datetime | None = None
    wake: dt.datetime | None = None
    guider_start: dt.datetime | None = None
    guider_end: dt.datetime | None = None
    spt_min: float | None = None
    tst_min: float | None = None
    waso_min: float | None = None
    awakenings: int | None = None
    tib_min: float | None = None
    sol_min: float | None = None
    efficiency_pct: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


OUTCOMES = ("spt_min", "tst_min", "waso_min", "sol_min", "efficiency_pct", "tib_min", "awakenings")


def _clock(epochs: Epochs, index: int) -> dt.datetime:
    """The device clock (local wall time) of an epoch boundary as a naive datetime."""
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(epochs.time_of(index)))


def _index(epochs: Epochs, when: dt.datetime) -> int:
    seconds = (when - dt.datetime(1970, 1, 1)).total_seconds()
    return epochs.index_of(seconds)


def nights_in(epochs: Epochs) -> list[dt.date]:
    """Evenings whose noon-to-noon window holds any recorded epoch."""
    first, last = _clock(epochs, 0), _clock(epochs, len(epochs) - 1)
    day = (first - dt.timedelta(hours=12)).date()
    out = []
    while dt.datetime.combine(day, dt.time(12)) <= last:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


def summarise_night(
    epochs: Epochs, sib: np.ndarray, night: dt.date, diary: DiaryNight | None
) -> NightSummary:
    noon = dt.datetime.combine(night, dt.time(12))
    lo = _index(epochs, noon)
    hi = _index(epochs, noon + dt.timedelta(days=1))
    window = slice(max(lo, 0), max(min(hi, len(epochs)), 0))
    span = hi - lo
    invalid = np.ones(span, dtype=bool)
    invalid[window.start - lo : window.stop - lo] = epochs.invalid[window]
    fraction_invalid = round(float(invalid.mean()), 4)
    if invalid.all():
        return NightSummary(night, "", 3, fraction_invalid)
    valid_hours = (~invalid).sum() * epochs.epoch_s / 3600
    if valid_hours < VALID_HOURS_REQUIRED:
        return NightSummary(night, "", 2, fraction_invalid)

    use_diary = diary is not None and diary.has_time_in_bed
    if use_diary:
        g0, g1 = _index(epochs, diary.into_bed), _index(epochs, diary.out_of_bed)
        guider, code = "sleeplog", 0
    else:
        angle = np.nan_to_num(epochs.anglez[window].astype(np.float64))
        spt = hdcza_spt(angle, epochs.epoch_s, invalid=epochs.invalid[window])
        if spt is None:
            return NightSummary(night, "HDCZA", 5, fraction_invalid)
        g0, g1 = window.start + spt[0], window.start + spt[1]
        guider, code = "HDCZA", 1
    starts, ends = runs(sib)
    # Time in bed: a bout must lie fully inside it; the HDCZA window: overlap it.
    keep = (starts >= g0) & (ends <= g1) if use_diary else (ends > g0) & (starts < g1)
    base = {
        "night": night,
        "guider": guider,
        "fraction_invalid": fraction_invalid,
        "guider_start": _clock(epochs, g0),
        "guider_end": _clock(epochs, g1),
    }
    if not keep.any():
        return NightSummary(cleaning_code=5, **base)
    # A bout that runs past the night's noon-to-noon window (a week of stillness is one bout)
    # counts only inside it: no night is longer than its window.
    onset = max(int(starts[keep][0]), window.start)
    wake = min(int(ends[keep][-1]), window.stop)
    minutes = epochs.epoch_s / 60
    asleep = sib[onset:wake]
    wake_starts, _ = runs(~asleep)
    spt = (wake - onset) * minutes
    tst = float(asleep.sum()) * minutes
    values = {
        "sleep_onset": _clock(epochs, onset),
        "wake": _clock(epochs, wake),
        "spt_min": spt,
        "tst_min": tst,
        "waso_min": spt - tst,
        "awakenings": len(wake_starts),
    }
    if use_diary:
        tib = (diary.out_of_bed - diary.into_bed).total_seconds() / 60
        settle = diary.lights_out or diary.into_bed
        values["tib_min"] = tib
        values["sol_min"] = (values["sleep_onset"] - settle).total_seconds() / 60
        values["efficiency_pct"] = round(100 * tst / tib, 2) if tib > 0 else None
    return NightSummary(cleaning_code=code, **base, **values)


def summarise(epochs: Epochs, diary: list[DiaryNight]) -> tuple[list[NightSummary], np.ndarray]:
    """Every night of the recording, and the bout flags used (for the plot)."""
    angle = epochs.anglez.astype(np.float64)
    filled = np.where(np.isnan(angle), 0.0, angle)
    sib = sib_vanhees2015(filled, epochs.epoch_s) & ~epochs.invalid
    by_night = {d.night: d for d in diary}
    return [summarise_night(epochs, sib, n, by_night.get(n)) for n in nights_in(epochs)], sib


def means(nights: list[NightSummary]) -> dict[str, float | int | None]:
    """Means over the nights GGIR's cleaned report keeps, and how many there were."""
    diary_used = any(n.cleaning_code == 0 for n in nights)
    kept = [n for n in nights if n.cleaning_code == 0 or (not diary_used and n.cleaning_code == 1)]
    out: dict[str, float | int | None] = {"nights": len(kept)}
    for name in OUTCOMES:
        values = [getattr(n, name) for n in kept if getattr(n, name) is not None]
        out[name] = round(math.fsum(values) / len(values), 2) if values else None
    return out
