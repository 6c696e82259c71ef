"""Sleep from raw acceleration: GGIR's published test vectors for the two algorithms, streaming
epochs equal to whole-file epochs, and a synthetic week written as real packed AX3 sectors whose
still nights are found within 5 minutes and 2 %."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from outcomes.actigraphy import CwaFile
from outcomes.actigraphy.epochs import epochs_from_cwa
from outcomes.actigraphy.nights import DiaryNight, means, summarise
from outcomes.actigraphy.sleep import hdcza_spt, sib_vanhees2015
from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa

MINUTE = dt.timedelta(minutes=1)


def test_sib_vanhees2015_flags_713_epochs_of_ggirs_vector() -> None:
    """GGIR tests/testthat/test_HASIB.R: 781 epochs, T5A5."""
    angle = [0] * 10 + [10, 20, 30] + [30] * 310 + [20, 10, -5, -20, 0, -15, -30] + [-40] * 400
    angle += [0] * (781 - len(angle))
    flags = sib_vanhees2015(np.array(angle, dtype=float), epoch_s=5)
    assert flags.sum() == 713


def test_sib_without_a_long_still_gap_is_all_or_nothing() -> None:
    rng = np.random.default_rng(3)
    restless = np.cumsum(rng.choice([-10.0, 10.0], 2000))  # a posture change every epoch
    assert not sib_vanhees2015(restless).any()
    assert sib_vanhees2015(np.zeros(2000)).all()  # fewer than 10 changes: probably not worn


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hdcza_finds_ggirs_window(seed: int) -> None:
    """GGIR tests/testthat/test_HASPT.R: 17280 epochs of N(0, 20) angle clipped to ±90, held at
    one value over epochs 5000-5999 and 6100-7999 (numpy slices); the window is (5000, 8000),
    the 100-epoch gap filled. With invalid time counted as movement, it ends where that begins."""
    rng = np.random.default_rng(seed)
    angle = np.clip(rng.normal(0, 20, 17280), -90, 90)
    angle[5000:6000] = angle[5000]
    angle[6100:8000] = angle[5000]
    assert hdcza_spt(angle, epoch_s=5) == (5000, 8000)
    invalid = np.zeros(17280, dtype=bool)
    invalid[5400:7800] = True
    assert hdcza_spt(angle, invalid=invalid) == (5000, 8000)  # default: imputed angle used
    start, end = hdcza_spt(angle, invalid=invalid, ignore_invalid=True)
    assert start == 5000 and end in (5400, 5401)  # GGIR marks one epoch past a run's end
    assert hdcza_spt(rng.normal(0, 20, 17280)) is None  # never still for 30 minutes


def test_streaming_epochs_equal_whole_file_epochs(shared_data) -> None:
    path = shared_data("actigraphy/ax3_sample.cwa")
    small = epochs_from_cwa(CwaFile(path), chunk_sectors=7)
    whole = epochs_from_cwa(CwaFile(path), chunk_sectors=100_000)
    np.testing.assert_array_equal(small.samples, whole.samples)
    np.testing.assert_allclose(small.anglez, whole.anglez, atol=1e-4)
    np.testing.assert_allclose(small.enmo, whole.enmo, atol=1e-6)
    assert small.samples.sum() == 58800 and small.epoch_s == 5


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """7 days at 12.5 Hz from Monday 10:00, a diary for six of the seven nights, the device
    off the wrist for two hours on Wednesday afternoon."""
    start = dt.datetime(2026, 3, 2, 10, 0)
    plan = planned_week(start.date(), nights=7)
    off = (dt.datetime(2026, 3, 4, 14), dt.datetime(2026, 3, 4, 16))
    accel = week_accel(start, 7.1, 12.5, plan, not_worn=[off])
    path = tmp_path_factory.mktemp("week") / "week.cwa"
    write_cwa(path, accel, start, fs=12.5)
    epochs = epochs_from_cwa(CwaFile(path))
    diary = [
        DiaryNight(
            p.into_bed.date(), p.into_bed, p.into_bed + 15 * MINUTE, p.final_wake, p.out_of_bed
        )
        for p in plan[:6]
    ]
    nights, sib = summarise(epochs, diary)
    return plan, epochs, nights, sib


def _close(measured: float, truth: float) -> bool:
    return abs(measured - truth) <= max(5.0, 0.02 * abs(truth))


def test_synthetic_week_gives_each_nights_sleep_within_5_minutes_and_2_percent(week) -> None:
    plan, _, nights, _ = week
    by_night = {n.night: n for n in nights}
    for planned in plan:
        night = by_night[planned.into_bed.date()]
        assert abs(night.sleep_onset - planned.sleep) <= 5 * MINUTE
        assert abs(night.wake - planned.final_wake) <= 5 * MINUTE
        spt = (planned.final_wake - planned.sleep) / MINUTE
        tst = spt - 20  # the 03:00 awakening
        assert _close(night.tst_min, tst), (night.night, night.tst_min, tst)
        assert _close(night.waso_min, 20), night.waso_min
        assert night.awakenings == 1
        if planned is plan[-1]:  # no diary that night: HDCZA guides, no TIB, SOL or SE
            assert (night.guider, night.cleaning_code) == ("HDCZA", 1)
            assert night.sol_min is night.efficiency_pct is night.tib_min is None
            continue
        assert (night.guider, night.cleaning_code) == ("sleeplog", 0)
        assert _close(night.sol_min, 15)  # lights out 15 min after into bed, still at 30
        tib = (planned.out_of_bed - planned.into_bed) / MINUTE
        assert night.tib_min == tib
        assert abs(night.efficiency_pct - 100 * tst / tib) <= 2.0


def test_synthetic_week_edges_non_wear_and_means(week) -> None:
    plan, epochs, nights, sib = week
    assert nights[0].cleaning_code == 2  # 2 h of the first noon-noon window
    assert nights[-1].cleaning_code in (2, 3)  # recording ends the next morning
    wednesday = next(n for n in nights if n.night == dt.date(2026, 3, 4))
    assert 0.04 <= wednesday.fraction_invalid <= 0.09  # 2 of 24 h off the wrist
    assert 40 * 12 <= epochs.nonwear.sum() <= 120 * 12
    assert not sib[epochs.nonwear].any()  # non-wear is never sleep
    summary = means(nights)
    assert summary["nights"] == 6  # diary nights only, as GGIR's cleaned report
    diary_tst = [(p.final_wake - p.sleep) / MINUTE - 20 for p in plan[:6]]
    assert _close(summary["tst_min"], sum(diary_tst) / 6)


@pytest.mark.parametrize("signal", ["stillness", "noise"])
def test_a_week_of_stillness_or_noise_gives_no_night_longer_than_its_window(signal: str) -> None:
    """A worn week without a day (one sustained inactivity bout, or a small random wobble that
    never moves 5°) used to report nights of 10,080 minutes: each night is clipped to its
    noon-to-noon window."""
    from outcomes.actigraphy.epochs import Epochs

    epoch_s, days = 5, 7
    n = days * 24 * 3600 // epoch_s
    rng = np.random.default_rng(3)
    angle = np.full(n, -30.0) if signal == "stillness" else -30.0 + rng.normal(0, 0.5, n)
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC).timestamp()
    epochs = Epochs(start, epoch_s, angle, np.zeros(n), np.full(n, 62), np.zeros(n, bool))
    nights, _sib = summarise(epochs, [])
    assert len(nights) >= 6
    for night in nights:
        if night.spt_min is None:
            continue
        assert 0 < night.tst_min <= night.spt_min <= 24 * 60, night
        assert night.sleep_onset >= dt.datetime.combine(night.night, dt.time(12))
        assert night.wake <= dt.datetime.combine(night.night, dt.time(12)) + dt.timedelta(days=1)


@pytest.mark.parametrize(("length", "window"), [(1, 5), (4, 5), (5, 5), (1000, 63), (20001, 501)])
def test_the_rolling_median_equals_pandas_centred_with_partial_windows(
    length: int, window: int
) -> None:
    import pandas as pd

    from outcomes.actigraphy.epochs import _rolling_median

    values = np.random.default_rng(length).normal(size=(length, 3)).astype(np.float32)
    expected = (
        pd.DataFrame(values.astype(np.float64))
        .rolling(window, center=True, min_periods=1)
        .median()
        .to_numpy()
    )
    np.testing.assert_array_equal(_rolling_median(values, window), expected)


def test_a_100_hz_recording_gives_the_planned_night(tmp_path) -> None:
    """At 100 Hz the z-angle path keeps every 5th sample (as skdh resamples to 20 Hz): the
    night is still found within 5 minutes, with ENMO from every sample."""
    start = dt.datetime(2026, 3, 2, 10, 0)
    plan = planned_week(start.date(), nights=1)
    accel = week_accel(start, 1.1, 100.0, plan)
    path = tmp_path / "night.cwa"
    write_cwa(path, accel, start, fs=100.0)
    epochs = epochs_from_cwa(CwaFile(path))
    assert epochs.samples.sum() == len(accel)
    nights, _ = summarise(epochs, [])
    night = next(n for n in nights if n.night == plan[0].into_bed.date())
    assert abs(night.sleep_onset - plan[0].sleep) <= 5 * MINUTE
    assert abs(night.wake - plan[0].final_wake) <= 5 * MINUTE
    spt = (plan[0].final_wake - plan[0].sleep) / MINUTE
    assert _close(night.tst_min, spt - 20), night
