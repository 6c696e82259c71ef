"""The visit-level variables (instruments, devices, imaging, the visit log, the assessor's
guess) and the catalogue of an export: the variables it has, in column order, after the options
and the reader's permissions have removed what they must (no Django import)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from imaging.labels import MUSCLEMAP_ABDOMEN
from outcomes.actigraphy.nights import OUTCOMES as SLEEP_OUTCOMES
from outcomes.exports.variables import (
    ARM,
    DIARY,
    IDENTIFIERS,
    IMAGING_LEVELS,
    IMAGING_MEASURES,
    MEDX_ANGLES,
    PARTICIPANT,
    ExportOptions,
    Variable,
)
from outcomes.instruments import DEFINITIONS
from trial.protocol import PROTOCOL
from trial.protocol.strongback_analysis import DYNAMO_RANGE, DYNAMO_STRENGTH, SIDES


def _instrument_variables(name: str) -> list[Variable]:
    definition = DEFINITIONS[name]
    needs = "trial.view_lsiq" if name == "lsiq" else ""
    out = [
        Variable(
            f"{name}_completed_on",
            f"{definition.title.en}: completed on",
            "date",
            name,
            version=definition.version,
            needs=needs,
        )
    ]
    for item in definition.items:
        out.append(
            Variable(
                item.key,
                item.label.en[:200],
                "integer",
                name,
                allowed=item.describe_allowed(),
                unit=item.unit.en if item.unit else "",
                version=definition.version,
                needs=needs,
            )
        )
    out.append(
        Variable(
            f"{name}_total",
            f"{definition.title.en}: total score",
            "number",
            name,
            version=definition.version,
            needs=needs,
        )
    )
    for subscore in definition.score({}).subscores:
        out.append(
            Variable(
                f"{name}_{subscore}",
                f"{definition.title.en}: {subscore}",
                "number",
                name,
                version=definition.version,
                needs=needs,
            )
        )
    return out


def _imaging_variables() -> list[Variable]:
    muscles = dict.fromkeys(label.muscle for label in MUSCLEMAP_ABDOMEN)
    return [
        Variable(
            f"mri_{muscle}_{side}_{level}_{key}",
            f"{muscle} {side} {level}: {label}",
            "number",
            "imaging (approved runs)",
            unit=unit,
        )
        for muscle in muscles
        for side in ("left", "right")
        for level in IMAGING_LEVELS
        for key, label, unit in IMAGING_MEASURES
    ]


DEVICES = (
    Variable("medx_tested_on", "MedX test date", "date", "medx"),
    Variable("medx_peak_torque_nm", "MedX peak torque", "number", "medx", unit="N·m"),
    Variable("medx_strength_index", "MedX strength index", "number", "medx", unit="N·m·°"),
    Variable(
        "medx_gravity_corrected",
        "MedX torques are gravity-corrected",
        "code",
        "medx",
        allowed="0, 1",
    ),
    Variable(
        "medx_rom_flexion_deg", "MedX range of motion: flexion end", "integer", "medx", unit="°"
    ),
    Variable(
        "medx_rom_extension_deg",
        "MedX range of motion: extension end",
        "integer",
        "medx",
        unit="°",
    ),
    *(
        Variable(
            f"medx_torque_{angle}",
            f"MedX torque at {angle}° flexion",
            "number",
            "medx",
            unit="N·m",
        )
        for angle in MEDX_ANGLES
    ),
    Variable("actigraphy_nights", "Actigraphy nights kept", "integer", "actigraphy"),
    *(
        Variable(
            f"actigraphy_{name}",
            f"Actigraphy seven-night mean {name}",
            "number",
            "actigraphy",
            version="GGIR-style HDCZA",
        )
        for name in SLEEP_OUTCOMES
    ),
    Variable("diary_nights", "Sleep diary nights entered", "integer", "actigraphy"),
    *(
        Variable(
            f"diary_{name}_mean", f"Sleep diary mean {label}", "number", "actigraphy", unit=unit
        )
        for name, label, unit in DIARY
    ),
)


VISIT = (
    Variable("visit_outcome", "Visit done or missed", "code", "visit log", allowed="done, missed"),
    Variable("visit_date", "Visit date", "date", "visit log"),
    Variable(
        "visit_out_of_window",
        "Visit outside its protocol window",
        "code",
        "visit log",
        allowed="0, 1",
    ),
    Variable(
        "visit_forms_not_done",
        "Forms of the visit not entered, with the reason (form: reason; ...)",
        "text",
        "visit log",
        free_text=True,
    ),
)
VERIFICATION = Variable(
    f"{PROTOCOL.primary_outcome}_verification",
    "Double entry of the primary outcome",
    "code",
    PROTOCOL.primary_outcome,
    allowed="not_required, pending, verified, discrepant, adjudicated",
)
DYNAMO = (
    *(
        Variable(
            f"dynamo_{movement}_{side}_{key}",
            f"DynaMo {movement.replace('_', ' ')} {side}: {label} (best trial)",
            "number",
            "dynamo",
            unit=unit,
        )
        for movement in DYNAMO_STRENGTH
        for side in SIDES
        for key, label, unit in (
            ("peak_force_n", "peak force", "N"),
            ("torque_nm", "torque", "N·m"),
            ("torque_per_kg", "torque / body mass", "N·m/kg"),
        )
    ),
    *(
        Variable(
            f"dynamo_rom_{movement}_{side}_deg",
            f"DynaMo {movement.replace('_', ' ')} {side}: range of motion (best trial)",
            "number",
            "dynamo",
            unit="°",
        )
        for movement in DYNAMO_RANGE
        for side in SIDES
    ),
)
GUESS = (
    Variable(
        "blinding_guess",
        "Assessor's guess of the arm",
        "code",
        "blinding_guess",
        allowed="an arm code, dont_know",
        arm_only=True,
    ),
    Variable(
        "blinding_confidence",
        "Assessor's confidence in the guess",
        "integer",
        "blinding_guess",
        allowed="1 (a pure guess) - 5 (certain)",
    ),
)


def visit_variables(visit: str, forms: Iterable[str]) -> list[Variable]:
    """The variables a visit can hold, in a fixed order (visit log, instruments, devices,
    imaging, the assessor's guess)."""
    forms = set(forms)
    out: list[Variable] = list(VISIT)
    for name in DEFINITIONS:
        if name in forms:
            out.extend(_instrument_variables(name))
            if name == PROTOCOL.primary_outcome:
                out.append(VERIFICATION)
    out.extend(v for v in DEVICES if v.source in forms)
    if "dynamo" in forms:
        out.extend(DYNAMO)
    if "mri" in forms:
        out.extend(_imaging_variables())
    if "blinding_guess" in forms:
        out.extend(GUESS)
    return [replace(v, visit=visit) for v in out]


def catalogue(
    visits: Sequence[tuple[str, Iterable[str]]], options: ExportOptions, permissions: set[str]
) -> list[Variable]:
    """Every variable of this export, in column order, after the options and the reader's
    permissions have removed what they must."""
    chosen: list[Variable] = []
    if options.include_arm:
        chosen.append(ARM)
    if options.identified and not options.deidentified:
        chosen.extend(IDENTIFIERS)
    chosen.extend(PARTICIPANT)
    for visit, forms in visits:
        chosen.extend(visit_variables(visit, forms))
    return [
        v
        for v in chosen
        if (not v.needs or v.needs in permissions)
        and not (options.deidentified and v.free_text)
        and not (v.arm_only and not options.include_arm)
    ]
