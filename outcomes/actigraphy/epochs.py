"""Raw samples to 5-second epochs, streamed chunk by chunk (GGIR's part-1 metrics).

Per epoch: ``anglez`` (mean over the epoch of the z-angle of the 5-s rolling-median signal, taken
on every k-th sample above 20 Hz),
``enmo`` (mean of max(|a| - 1 g, 0), in g) and the sample count; per 15-minute block a non-wear
flag (GGIR 2013 rule: in the 60-minute window around the block, at least two axes have a standard
deviation below 13 mg and a range below 50 mg). Only one chunk of raw data and a small carry-over
are held at a time, so a week at 100 Hz needs tens of megabytes, not gigabytes.

Time is the device clock read as UTC (the participant's local wall clock): epoch boundaries fall on
whole multiples of ``epoch_s`` of that clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import bottleneck as bn
import numpy as np

from outcomes.actigraphy.cwa import CwaFile

EPOCH_S = 5
MEDIAN_WINDOW_S = 5
# Above this rate the z-angle is computed on every k-th sample (skdh resamples to 20 Hz).
ANGLE_FS = 20
NONWEAR_BLOCK_MIN = 15
NONWEAR_WINDOW_MIN = 60
NONWEAR_SD_G = 0.013
NONWEAR_RANGE_G = 0.050


@dataclass
class Epochs:
    start: float  # time of epoch 0 (device clock as UTC, seconds since the epoch)
    epoch_s: int
    anglez: np.ndarray  # degrees, NaN where the epoch has no sample
    enmo: np.ndarray  # g
    samples: np.ndarray  # samples per epoch
    nonwear: np.ndarray  # bool per epoch (set by whole 15-minute blocks)

    def __len__(self) -> int:
        return len(self.anglez)

    @property
    def invalid(self) -> np.ndarray:
        """No data or not worn."""
        return self.nonwear | (self.samples == 0)

    def time_of(self, index: int | np.ndarray) -> float | np.ndarray:
        return self.start + np.asarray(index) * self.epoch_s

    def index_of(self, time: float) -> int:
        return math.floor((time - self.start) / self.epoch_s)


class _Accumulator:
    """Per-epoch sums, grown as chunks arrive."""

    def __init__(self, start: float, epochs: int, epoch_s: int) -> None:
        self.start, self.epoch_s = start, epoch_s
        self.angle_sum = np.zeros(epochs)
        self.angle_count = np.zeros(epochs, dtype=np.int64)
        self.enmo_sum = np.zeros(epochs)
        self.count = np.zeros(epochs, dtype=np.int64)
        self.axis_sum = np.zeros((epochs, 3))
        self.axis_sumsq = np.zeros((epochs, 3))
        self.axis_min = np.full((epochs, 3), np.inf)
        self.axis_max = np.full((epochs, 3), -np.inf)

    def _epochs(self, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.floor((time - self.start) / self.epoch_s).astype(np.int64)
        return index, (index >= 0) & (index < len(self.count))

    def add_angle(self, time: np.ndarray, smoothed: np.ndarray) -> None:
        """The z-angle of median-smoothed samples (every sample, or every k-th at high rates)."""
        index, inside = self._epochs(time)
        index, smoothed = index[inside], smoothed[inside]
        n = len(self.count)
        with np.errstate(divide="ignore"):  # x = y = 0: the arm points up or down, ±90°
            horizontal = np.hypot(smoothed[:, 0], smoothed[:, 1])
            angle = np.degrees(np.arctan(smoothed[:, 2] / horizontal))
        self.angle_sum += np.bincount(index, weights=angle, minlength=n)
        self.angle_count += np.bincount(index, minlength=n)

    def add_raw(self, time: np.ndarray, raw: np.ndarray) -> None:
        """ENMO, counts and the per-axis sums, squares and extremes of every raw sample. Times
        increase within a chunk, so each epoch's samples are contiguous (``reduceat``)."""
        index, inside = self._epochs(time)
        index, raw = index[inside], raw[inside].astype(np.float64)
        if not len(index):
            return
        n = len(self.count)
        enmo = np.maximum(np.sqrt((raw**2).sum(axis=1)) - 1.0, 0.0)
        self.enmo_sum += np.bincount(index, weights=enmo, minlength=n)
        self.count += np.bincount(index, minlength=n)
        for axis in range(3):
            values = raw[:, axis]
            self.axis_sum[:, axis] += np.bincount(index, weights=values, minlength=n)
            self.axis_sumsq[:, axis] += np.bincount(index, weights=values**2, minlength=n)
        if np.all(index[1:] >= index[:-1]):
            present, first = np.unique(index, return_index=True)
            lows, highs = np.minimum.reduceat(raw, first), np.maximum.reduceat(raw, first)
            self.axis_min[present] = np.minimum(self.axis_min[present], lows)
            self.axis_max[present] = np.maximum(self.axis_max[present], highs)
        else:  # a clock step backwards inside a chunk
            for axis in range(3):
                np.minimum.at(self.axis_min[:, axis], index, raw[:, axis])
                np.maximum.at(self.axis_max[:, axis], index, raw[:, axis])

    def result(self) -> Epochs:
        with np.errstate(invalid="ignore", divide="ignore"):
            anglez = np.where(self.angle_count > 0, self.angle_sum / self.angle_count, np.nan)
            enmo = np.where(self.count > 0, self.enmo_sum / self.count, 0.0)
        return Epochs(
            start=self.start,
            epoch_s=self.epoch_s,
            anglez=anglez.astype(np.float32),
            enmo=enmo.astype(np.float32),
            samples=self.count,
            nonwear=self._nonwear(),
        )

    def _nonwear(self) -> np.ndarray:
        per_block = NONWEAR_BLOCK_MIN * 60 // self.epoch_s
        blocks = math.ceil(len(self.count) / per_block)
        pad = blocks * per_block - len(self.count)

        def by_block(values: np.ndarray, reduce: np.ufunc, fill: float) -> np.ndarray:
            padded = np.concatenate([values, np.full((pad, *values.shape[1:]), fill)])
            return reduce.reduce(padded.reshape(blocks, per_block, *values.shape[1:]), axis=1)

        count = by_block(self.count.astype(np.float64), np.add, 0.0)
        total, squares = by_block(self.axis_sum, np.add, 0.0), by_block(self.axis_sumsq, np.add, 0)
        low, high = (
            by_block(self.axis_min, np.minimum, np.inf),
            by_block(self.axis_max, np.maximum, -np.inf),
        )
        # The 60-minute window of block b: blocks b-1 .. b+2 (15 minutes before, 30 after).
        span = NONWEAR_WINDOW_MIN // NONWEAR_BLOCK_MIN
        flags = np.zeros(blocks, dtype=bool)
        for b in range(blocks):
            window = slice(max(0, b - 1), min(blocks, b - 1 + span))
            n = count[window].sum()
            if count[b] == 0 or n < 2:
                continue
            mean = total[window].sum(axis=0) / n
            variance = np.maximum(squares[window].sum(axis=0) / n - mean**2, 0.0)
            sd = np.sqrt(variance * n / (n - 1))
            spread = high[window].max(axis=0) - low[window].min(axis=0)
            still_axes = (sd < NONWEAR_SD_G) & (spread < NONWEAR_RANGE_G)
            flags[b] = still_axes.sum() >= 2
        return np.repeat(flags, per_block)[: len(self.count)]


def _rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median with partial windows at both ends, equal to pandas'
    ``rolling(window, center=True, min_periods=1).median()`` (tested) but several times faster:
    bottleneck's trailing window over the signal padded with ``window // 2`` NaNs, which it
    skips, then shifted back by half a window."""
    half, length = window // 2, len(values)
    tail = np.full((max(half, window - length), *values.shape[1:]), np.nan)
    padded = np.concatenate([values.astype(np.float64), tail])
    return bn.move_median(padded, window, min_count=1, axis=0)[half : half + length]


def epochs_from_cwa(cwa: CwaFile, epoch_s: int = EPOCH_S, chunk_sectors: int = 4096) -> Epochs:
    """Stream a ``.cwa`` file into epochs; the rolling median restarts at each segment (time is
    not continuous across a skipped sector). Above ``ANGLE_FS`` the z-angle path keeps every k-th
    sample (k = fs // ANGLE_FS, the phase carried across chunks), as skdh does before its sleep
    algorithms; ENMO and non-wear use every sample."""
    step = max(1, int(cwa.fs // ANGLE_FS))
    window = max(1, round(MEDIAN_WINDOW_S * cwa.fs / step)) | 1  # odd, so it is centred
    half = window // 2
    start = math.floor(cwa.start_time / epoch_s) * epoch_s
    epochs = math.floor((cwa.end_time - start) / epoch_s) + 1
    acc = _Accumulator(start, epochs, epoch_s)
    # Carried over between chunks of one segment (decimated stream): ``context`` samples
    # (already emitted, needed as the past of the next medians) and ``pending`` samples (their
    # future not yet seen).
    segment = None
    carry_time = np.empty(0)
    carry_accel = np.empty((0, 3), dtype=np.float32)
    emitted_in_carry = 0
    phase = 0  # samples of the segment seen so far, modulo ``step``

    def flush(time: np.ndarray, accel: np.ndarray, skip: int, final: bool) -> int:
        medians = _rolling_median(accel, window)
        stop = len(time) if final else max(skip, len(time) - half)
        acc.add_angle(time[skip:stop], medians[skip:stop])
        return stop

    for chunk in cwa.chunks(chunk_sectors):
        if chunk.segment != segment and segment is not None:
            flush(carry_time, carry_accel, emitted_in_carry, final=True)
            carry_time, carry_accel, emitted_in_carry, phase = np.empty(0), carry_accel[:0], 0, 0
        segment = chunk.segment
        acc.add_raw(chunk.time, chunk.accel)
        first = (-phase) % step
        phase = (phase + len(chunk.time)) % step
        time = np.concatenate([carry_time, chunk.time[first::step]])
        accel = np.concatenate([carry_accel, chunk.accel[first::step]])
        stop = flush(time, accel, emitted_in_carry, final=False)
        keep_from = max(0, stop - half)
        carry_time, carry_accel = time[keep_from:], accel[keep_from:]
        emitted_in_carry = stop - keep_from
    if segment is not None:
        flush(carry_time, carry_accel, emitted_in_carry, final=True)
    return acc.result()
