"""Plausibility flags: left/right asymmetry above 30 % and week-16 change above 25 %."""

from imaging.metrics.result import LevelMetrics, MuscleMetrics
from imaging.qc.plausibility import asymmetry_flags, change_flags


def _row(side: str, volume: float, csa: float) -> MuscleMetrics:
    level = LevelMetrics("L4", 3, csa, csa, None, None)
    return MuscleMetrics("multifidus", side, 1, volume, None, None, 3, (level,))


def test_asymmetry_above_thirty_percent_is_flagged_per_volume_and_level() -> None:
    assert asymmetry_flags([_row("left", 100, 10), _row("right", 120, 12)]) == []
    flags = asymmetry_flags([_row("left", 100, 10), _row("right", 150, 15)])
    assert flags == [
        "multifidus: left/right volume differ by 40% (> 30 %)",
        "multifidus L4: left/right CSA differ by 40%",
    ]


def test_change_since_baseline_above_twenty_five_percent_is_flagged() -> None:
    baseline = [_row("left", 100, 10)]
    assert change_flags([_row("left", 120, 10)], baseline) == []
    assert change_flags([_row("left", 70, 10)], baseline) == [
        "multifidus left: volume changed -30% since baseline (> 25 %)"
    ]
