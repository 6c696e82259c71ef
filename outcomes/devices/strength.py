"""MedX lumbar-extension results: units, peak torque and the strength index (pure functions)."""

from __future__ import annotations

import itertools

FT_LB_IN_NM = 1.35582  # 1 ft·lb = 1.35582 N·m


def to_newton_metres(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value * FT_LB_IN_NM, 2) if unit == "ft·lb" else round(value, 2)


def peak_torque(curve: list[tuple[int, float | None]]) -> float:
    values = [t for _, t in curve if t is not None]
    if not values:
        raise ValueError("Enter the torque of at least one angle.")
    return max(values)


def strength_index(curve: list[tuple[int, float | None]]) -> float | None:
    """Trapezoidal area under torque against angle over the tested angles (N·m·°), as Fisher
    2018; ``None`` with fewer than two angles."""
    points = sorted((a, t) for a, t in curve if t is not None)
    if len(points) < 2:
        return None
    return round(
        sum((a1 - a0) * (t0 + t1) / 2 for (a0, t0), (a1, t1) in itertools.pairwise(points)),
        1,
    )


def non_monotonic_angles(
    curve: list[tuple[int, float | None]], tolerance: float = 0.15
) -> list[int]:
    """Angles where torque rises by more than ``tolerance`` from the more flexed neighbour: the
    lumbar extensors are strongest flexed, so a rise toward extension is worth a second look."""
    tested = [(a, t) for a, t in curve if t is not None]  # test order: 72 -> 0
    return [a1 for (_, t0), (a1, t1) in itertools.pairwise(tested) if t1 > t0 * (1 + tolerance)]
