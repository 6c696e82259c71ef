"""The export's variables, declared once: the codebook lists them and the writers lay out the
columns from them, so the codebook covers every column by construction (no Django import).

Participant-level variables have ``visit == ""``; visit-level ones repeat per outcome visit and
are named ``<visit>__<variable>`` in the wide file.
"""

from __future__ import annotations

from dataclasses import dataclass

from imaging.metrics.levels import LEVELS
from trial.protocol import PROTOCOL

PLAN = PROTOCOL.analysis
MEDICAL_CONDITIONS = (
    "hypertension",
    "cardiovascular_disease",
    "diabetes",
    "respiratory_disease",
    "osteoarthritis",
    "inflammatory_arthritis",
    "osteoporosis",
    "depression_or_anxiety",
    "cancer_history",
)
MEDX_ANGLES = (72, 60, 48, 36, 24, 12, 0)
DIARY = (
    ("quality", "quality (1-5)", ""),
    ("estimated_sol_min", "estimated sleep latency", "min"),
    ("estimated_waso_min", "estimated wake after sleep onset", "min"),
    ("awakenings", "awakenings", ""),
)
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
    Variable("consent_version", "Consent form version", "code", "enrolment"),
    Variable("consent_language", "Consent language", "code", "enrolment"),
    *(
        Variable(
            f"{visit}_{name}",
            f"{PROTOCOL.visit(visit).label}: {label}",
            "code",
            "interviews",
            allowed=allowed,
        )
        for visit in PROTOCOL.optional_visits()
        for name, label, allowed in (
            ("invited", "invited", "0, 1"),
            ("status", "visit log", "done, missed; blank: none yet"),
        )
    ),
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
    Variable("bmi", "Body mass index (computed)", "number", "sociodemographics", unit="kg/m2"),
    Variable("lbp_history", "Low back pain history", "code", "sociodemographics"),
    *(
        Variable(
            f"mh_{name}",
            f"Medical history: {name.replace('_', ' ')}",
            "code",
            "medical_history",
            allowed="0, 1",
        )
        for name in MEDICAL_CONDITIONS
    ),
    Variable(
        "mh_other_conditions",
        "Medical history: other conditions",
        "text",
        "medical_history",
        free_text=True,
    ),
    Variable("mh_smoking", "Smoking", "code", "medical_history"),
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
