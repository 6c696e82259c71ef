"""Plausibility flags on measured values: left/right asymmetry and change between visits."""

from __future__ import annotations

from collections.abc import Iterable

from imaging.metrics.result import MuscleMetrics

ASYMMETRY_LIMIT = 0.30  # |L - R| / mean(L, R)
CHANGE_LIMIT = 0.25  # |week16 - baseline| / baseline


def _relative_difference(a: float, b: float) -> float:
    mean = (a + b) / 2
    return abs(a - b) / mean if mean else 0.0


def asymmetry_flags(muscles: Iterable[MuscleMetrics]) -> list[str]:
    """Flags for each muscle whose left and right volumes (or level CSAs) differ by > 30 %."""
    flags = []
    by_muscle: dict[str, dict[str, MuscleMetrics]] = {}
    for row in muscles:
        by_muscle.setdefault(row.muscle, {})[row.side] = row
    for muscle, sides in by_muscle.items():
        left, right = sides.get("left"), sides.get("right")
        if not left or not right or not left.volume_mm3 or not right.volume_mm3:
            continue
        difference = _relative_difference(left.volume_mm3, right.volume_mm3)
        if difference > ASYMMETRY_LIMIT:
            flags.append(f"{muscle}: left/right volume differ by {difference:.0%} (> 30 %)")
        right_levels = {lv.level: lv for lv in right.levels}
        for level in left.levels:
            other = right_levels.get(level.level)
            if other and level.csa_mm2 and other.csa_mm2:
                difference = _relative_difference(level.csa_mm2, other.csa_mm2)
                if difference > ASYMMETRY_LIMIT:
                    flags.append(
                        f"{muscle} {level.level}: left/right CSA differ by {difference:.0%}"
                    )
    return flags


def change_flags(current: Iterable[MuscleMetrics], baseline: Iterable[MuscleMetrics]) -> list[str]:
    """Flags for muscle volumes that changed by more than 25 % since baseline."""
    before = {row.key: row for row in baseline}
    flags = []
    for row in current:
        earlier = before.get(row.key)
        if not earlier or not earlier.volume_mm3 or row.volume_mm3 is None:
            continue
        change = (row.volume_mm3 - earlier.volume_mm3) / earlier.volume_mm3
        if abs(change) > CHANGE_LIMIT:
            flags.append(
                f"{row.muscle} {row.side}: volume changed {change:+.0%} since baseline (> 25 %)"
            )
    return flags
