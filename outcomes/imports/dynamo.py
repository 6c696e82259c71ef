"""VALD DynaMo exports: one row per test result. Torque = peak force x lever arm (DynaMo measures
force only); torque / body mass when the mass is given; ROM tests carry degrees."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from outcomes.imports.table import Table, convert_rows, number, when
from trial.protocol.strongback_analysis import DYNAMO_RANGE, DYNAMO_STRENGTH

# The tests the protocol names: a row of any other test would reach no export, so it is refused.
MOVEMENTS = {"strength": DYNAMO_STRENGTH, "rom": DYNAMO_RANGE}

REQUIRED = ("study_id", "visit", "tested_at", "category", "movement", "side")
CATEGORIES = {
    "strength": "strength",
    "range of motion": "rom",
    "rangeofmotion": "rom",
    "rom": "rom",
}
SIDES = {
    "left": "left",
    "leftside": "left",
    "l": "left",
    "right": "right",
    "rightside": "right",
    "r": "right",
    "": "none",
    "none": "none",
}


@dataclass(frozen=True)
class DynamoRow:
    study_id: str
    visit: str
    tested_at: dt.datetime  # local wall time
    category: str
    movement: str
    side: str
    peak_force_n: float | None
    lever_arm_m: float | None
    body_mass_kg: float | None
    rom_deg: float | None

    @property
    def torque_nm(self) -> float | None:
        if self.peak_force_n is None or self.lever_arm_m is None:
            return None
        return round(self.peak_force_n * self.lever_arm_m, 3)

    @property
    def torque_per_kg(self) -> float | None:
        torque = self.torque_nm
        if torque is None or not self.body_mass_kg:
            return None
        return round(torque / self.body_mass_kg, 4)

    def key(self) -> str:
        """The same result imported from two exports is one row."""
        parts = (
            self.study_id,
            self.visit,
            self.tested_at.isoformat(),
            self.category,
            self.movement,
            self.side,
            repr(self.peak_force_n),
            repr(self.rom_deg),
        )
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _optional(values: dict[str, str], name: str, label: str, low: float, high: float):
    raw = values.get(name, "")
    return number(raw, label, low, high) if raw else None


def parse(table: Table, datetime_format: str, visits: tuple[str, ...]):
    def convert(values: dict[str, str], _extras: dict[str, str]) -> DynamoRow:
        category = CATEGORIES.get(values["category"].strip().lower())
        if category is None:
            raise ValueError(f"Test type {values['category']!r} is neither Strength nor ROM.")
        side = SIDES.get(values["side"].strip().lower().replace(" ", ""))
        if side is None:
            raise ValueError(f"Side {values['side']!r} is not Left, Right or empty.")
        if values["visit"] not in visits:
            raise ValueError(f"Visit {values['visit']!r} is not one of {', '.join(visits)}.")
        row = DynamoRow(
            study_id=values["study_id"],
            visit=values["visit"],
            tested_at=when(values["tested_at"], datetime_format, "Date"),
            category=category,
            movement=values["movement"].strip().lower().replace(" ", "_"),
            side=side,
            peak_force_n=_optional(values, "peak_force_n", "Peak force", 0, 2000),
            lever_arm_m=_optional(values, "lever_arm_m", "Lever arm", 0.05, 1.5),
            body_mass_kg=_optional(values, "body_mass_kg", "Body mass", 20, 300),
            rom_deg=_optional(values, "rom_deg", "ROM", 0, 180),
        )
        if row.movement not in MOVEMENTS[category]:
            raise ValueError(
                f"Movement {values['movement']!r} is not a {values['category']} test of the "
                f"protocol ({', '.join(MOVEMENTS[category])})."
            )
        if category == "strength" and row.peak_force_n is None:
            raise ValueError("A strength test needs a peak force.")
        if category == "rom" and row.rom_deg is None:
            raise ValueError("A range-of-motion test needs degrees.")
        return row

    return convert_rows(table, convert)
