"""The export's variables, declared once: the codebook lists them and the writers lay out the
columns from them, so the codebook covers every column by construction (no Django import).

Participant-level variables have ``visit == ""``; visit-level ones repeat per outcome visit and
are named ``<visit>__<variable>`` in the wide file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from imaging.labels import MUSCLEMAP_ABDOMEN
from imaging.metrics.levels import LEVELS
from outcomes.actigraphy.nights import OUTCOMES as SLEEP_OUTCOMES
from outcomes.instruments import DEFINITIONS
from trial.protocol import PROTOCOL
from trial.protocol.strongback_analysis import DYNAMO_RANGE, DYNAMO_STRENGTH, SIDES

PLAN = PROTOCOL.analysis
OUTCOME_VISITS = PROTOCOL.outcome_visits()
IMAGING_LEVELS = (*LEVELS, "all")
IMAGING_MEASURES = (
    ("csa_mm2", "CSA at mid-level", "mm2"),
    ("volume_mm3", "volume", "mm3"),
    ("fat_fraction_pct", "fat fraction", "%"),
)


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str  # integer, number, date, code, text, identifier
    source: str
    allowed: str = ""
    unit: str = ""
    version: str = ""
    visit: str = ""  # "" for participant-level variables
    identifying: bool = False  # a HIPAA Safe Harbor direct identifier: identified exports only
    free_text: bool = False  # removed from de-identified exports
    needs: str = ""  # a permission the reader must hold (e.g. LSIQ answers)
    arm_only: bool = False  # hints at the arm (the assessor's guess): only in files with the arm

    @property
    def column(self) -> str:
        return f"{self.visit}__{self.name}" if self.visit else self.name


@dataclass(frozen=True)
class ExportOptions:
    deidentified: bool = True
    include_arm: bool = False
    identified: bool = False  # names, contacts, date of birth (never with ``deidentified``)


PARTICIPANT = (
    Variable("consent_date", "Consent signed on", "date", "enrolment"),
    Variable("randomised_on", "Randomised on (session 1)", "date", "randomisation"),
    Variable(
        "stratum", "Randomisation stratum (LSIQ)", "code", "randomisation", needs="trial.view_lsiq"
    ),
    Variable("age_years", "Age at baseline", "integer", "sociodemographics", unit="years"),
    Variable("sex", "Sex at birth", "code", "sociodemographics"),
    Variable("gender", "Gender", "code", "sociodemographics"),
    Variable("education", "Highest education", "code", "sociodemographics"),
    Variable("employment", "Employment", "code", "sociodemographics"),
    Variable("work_status", "Work status", "code", "sociodemographics"),
    Variable(
        "lbp_duration_months",
        "Low back pain duration",
        "integer",
        "sociodemographics",
        unit="months",
    ),
    Variable("height_cm", "Height", "number", "sociodemographics", unit="cm"),
    Variable("weight_kg", "Weight", "number", "sociodemographics", unit="kg"),
    Variable(
        "previous_treatments",
        "Previous treatments for back pain",
        "text",
        "sociodemographics",
        free_text=True,
    ),
    Variable("medications", "Current medications", "text", "sociodemographics", free_text=True),
    Variable(
        "exit_kind",
        "Study exit",
        "code",
        "exit",
        allowed="discontinued, withdrawn, lost, completed",
    ),
    Variable("exit_reason", "Reason for exit", "code", "exit"),
    Variable("exit_on", "Exit date", "date", "exit"),
    Variable(
        "exit_data_use",
        "Data that may still be used after exit",
        "code",
        "exit",
        allowed="all, collected (up to the exit date), none (excluded from analysis)",
    ),
    Variable(
        "mis_stratified",
        "Randomised in a stratum the corrected LSIQ contradicts",
        "code",
        "randomisation",
        allowed="0, 1",
        needs="trial.view_lsiq",
    ),
    Variable(
        "sessions_attended",
        "Supervised sessions attended",
        "integer",
        "session log",
        allowed=f"0-{PROTOCOL.sessions.total}",
    ),
    Variable(
        "adherence_pct",
        f"Sessions attended of {PROTOCOL.sessions.total} planned",
        "number",
        "session log",
        unit="%",
    ),
    *(
        Variable(
            f"in_{population.code}",
            f"In the {population.label} population",
            "code",
            "analysis plan",
            allowed="0, 1",
            version=population.rule(),
        )
        for population in PLAN.populations
    ),
    *(
        Variable(
            f"mmp_week_{week:02d}_{name}",
            f"Manage My Pain, week {week}: {label}",
            kind,
            "mmp_pain",
            unit=unit,
        )
        for week in range(1, PROTOCOL.sessions.weeks + 1)
        for name, label, kind, unit in (
            ("mean_severity", "mean pain severity", "number", "0-10"),
            ("ratings", "pain ratings recorded", "integer", ""),
        )
    ),
)
IDENTIFIERS = tuple(
    Variable(name, label, "identifier", "identity", identifying=True)
    for name, label in (
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("date_of_birth", "Date of birth"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("address", "Postal address"),
    )
)
ARM = Variable("arm", "Allocated arm", "code", "randomisation", allowed="see protocol arms")


def _instrument_variables(name: str) -> list[Variable]:
    definition = DEFINITIONS[name]
    needs = "trial.view_lsiq" if name == "lsiq" else ""
    out = [Variable(f"{name}_completed_on", f"{definition.title.en}: completed on", "date",
                    name, version=definition.version, needs=needs)]  # fmt: skip
    for item in definition.items:
        out.append(Variable(item.key, item.label.en[:200], "integer", name,
                            allowed=item.describe_allowed(),
                            unit=item.unit.en if item.unit else "",
                            version=definition.version, needs=needs))  # fmt: skip
    out.append(Variable(f"{name}_total", f"{definition.title.en}: total score", "number", name,
                        version=definition.version, needs=needs))  # fmt: skip
    for subscore in definition.score({}).subscores:
        out.append(Variable(f"{name}_{subscore}", f"{definition.title.en}: {subscore}", "number",
                            name, version=definition.version, needs=needs))  # fmt: skip
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
