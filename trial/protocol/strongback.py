"""ISRCTN14864451 (STRONG-BACK), protocol version 1, from the registration text in
``shared/protocol/ISRCTN14864451-registration.txt``. Every number of the trial lives here.
"""

from __future__ import annotations

from collections.abc import Mapping

from trial.protocol.dates import add_months, age_in_years
from trial.protocol.labels import Label as _  # a label people read: translated where shown
from trial.protocol.schema import (
    Anchor,
    Arm,
    Criterion,
    CriterionKind,
    DeviceWear,
    Exercise,
    FormKind,
    FormSpec,
    Precondition,
    Protocol,
    SessionPlan,
    SessionTemplate,
    Stratum,
    ThresholdStratification,
    Visit,
    Window,
)
from trial.protocol.strongback_analysis import ANALYSIS_PLAN

Facts = Mapping[str, object]

MC_ILEX = Arm("MC_ILEX", _("Motor control + isolated lumbar extension"))
FREE_WEIGHT = Arm("FREE_WEIGHT", _("Free-weight resistance training"))
LSIQ_HIGH = Stratum("LSIQ_HIGH", _("LSIQ high (score ≥ 9)"))
LSIQ_LOW = Stratum("LSIQ_LOW", _("LSIQ low (score < 9)"))

LSIQ_STRATIFICATION = ThresholdStratification(
    instrument="lsiq",
    cut_off=9,
    high=LSIQ_HIGH.code,
    low=LSIQ_LOW.code,
    rationale=(
        "The registration says 'high > 9, low < 9', which leaves a score of 9 unassigned. The "
        "source paper (Macedo et al. 2014, Phys Ther 94(11):1543) calls a score of 9 or greater "
        "'high instability', so 9 is high."
    ),
)

AGE_MIN, AGE_MAX = 18, 60
# NIH task force (Deyo et al. 2014): chronic LBP = pain for at least 3 months, on at least half
# the days of the past 6 months. The registration's "> 3 months" is read as that definition.
CHRONIC_LBP_MONTHS = 3
LANGUAGES = frozenset({"en", "fr"})
SCOLIOSIS_MAX_DEGREES = 10
# PDDM profile of predominant nociceptive LBP (Tousignant-Laflamme 2017): domain -> allowed.
PDDM_REQUIRED = {
    "pddm_nociceptive": frozenset({"A"}),
    "pddm_nervous_system": frozenset({"0"}),
    "pddm_comorbidity": frozenset({"0"}),
    "pddm_cognitive_emotional": frozenset({"0"}),
    "pddm_contextual": frozenset({"0", "A"}),
}
MRI_SAFETY_ITEMS = (
    "mri_pacemaker",
    "mri_aneurysm_clip",
    "mri_metal_implant",
    "mri_metal_in_eye_or_body",
    "mri_tattoo",
    "mri_piercing",
    "mri_braces",
    "mri_claustrophobia",
    "mri_pregnancy",
)
# Items the MRI unit may clear after review (MR-conditional tattoo ink, removable piercing, braces).
MRI_CLEARABLE_ITEMS = frozenset({"mri_tattoo", "mri_piercing", "mri_braces"})


def _missing(facts: Facts, *names: str) -> bool:
    return any(facts.get(name) is None for name in names)


def _age_in_range(facts: Facts) -> bool | None:
    """Age from the date of birth when known, else the age the person stated at screening."""
    if not _missing(facts, "date_of_birth", "screened_on"):
        age = age_in_years(facts["date_of_birth"], facts["screened_on"])  # type: ignore[arg-type]
    elif facts.get("age_at_screening") is not None:
        age = int(facts["age_at_screening"])  # type: ignore[call-overload]
    else:
        return None
    return AGE_MIN <= age <= AGE_MAX


def _chronic_lbp(facts: Facts) -> bool | None:
    if _missing(facts, "lbp_onset", "screened_on", "lbp_half_days_last_6_months"):
        return None
    long_enough = add_months(facts["lbp_onset"], CHRONIC_LBP_MONTHS) <= facts["screened_on"]  # type: ignore[arg-type,operator]
    return long_enough and bool(facts["lbp_half_days_last_6_months"])


def _language(facts: Facts) -> bool | None:
    spoken = facts.get("languages")
    if spoken is None:
        return None
    return bool(LANGUAGES & set(spoken))  # type: ignore[call-overload]


def _pddm_nociceptive(facts: Facts) -> bool | None:
    if _missing(facts, *PDDM_REQUIRED):
        return None
    return all(facts[domain] in allowed for domain, allowed in PDDM_REQUIRED.items())


def _flag(name: str):
    def test(facts: Facts) -> bool | None:
        value = facts.get(name)
        return None if value is None else bool(value)

    return test


def _any_flag(*names: str):
    def test(facts: Facts) -> bool | None:
        if _missing(facts, *names):
            return None
        return any(bool(facts[name]) for name in names)

    return test


def _structural(facts: Facts) -> bool | None:
    if _missing(facts, "spondylolysis", "spondylolisthesis", "scoliosis_degrees"):
        return None
    return (
        bool(facts["spondylolysis"])
        or bool(facts["spondylolisthesis"])
        or float(facts["scoliosis_degrees"]) > SCOLIOSIS_MAX_DEGREES  # type: ignore[arg-type]
    )


def _mri_contraindicated(facts: Facts) -> bool | None:
    if _missing(facts, *MRI_SAFETY_ITEMS):
        return None
    cleared = bool(facts.get("mri_cleared_by_unit"))
    return any(
        bool(facts[item]) and not (cleared and item in MRI_CLEARABLE_ITEMS)
        for item in MRI_SAFETY_ITEMS
    )


INC, EXC = CriterionKind.INCLUSION, CriterionKind.EXCLUSION
CRITERIA = (
    Criterion(
        "chronic_lbp",
        INC,
        _("Chronic non-specific LBP ≥ 3 months (NIH task force)"),
        _chronic_lbp,
        ("lbp_onset", "lbp_half_days_last_6_months"),
    ),
    Criterion(
        "age",
        INC,
        _("Aged {low} to {high} at screening", low=AGE_MIN, high=AGE_MAX),
        _age_in_range,
        ("date_of_birth",),
    ),
    Criterion("language", INC, _("Speaks English or French"), _language, ("languages",)),
    Criterion(
        "pddm_nociceptive",
        INC,
        _("Predominant nociceptive LBP on the PDDM"),
        _pddm_nociceptive,
        tuple(PDDM_REQUIRED),
    ),
    Criterion(
        "spinal_surgery_or_fracture",
        EXC,
        _("Previous spinal surgery or vertebral fracture"),
        _any_flag("previous_spinal_surgery", "vertebral_fracture"),
        ("previous_spinal_surgery", "vertebral_fracture"),
    ),
    Criterion("radiculopathy", EXC, _("Radiculopathy"), _flag("radiculopathy"), ("radiculopathy",)),
    Criterion(
        "structural_abnormality",
        EXC,
        _(
            "Spondylolysis, spondylolisthesis or scoliosis > {degrees}°",
            degrees=SCOLIOSIS_MAX_DEGREES,
        ),
        _structural,
        ("spondylolysis", "spondylolisthesis", "scoliosis_degrees"),
    ),
    Criterion(
        "exercise_limiting_condition",
        EXC,
        _("Condition preventing exercise"),
        _flag("exercise_limiting_condition"),
        ("exercise_limiting_condition",),
    ),
    Criterion(
        "mri_contraindication",
        EXC,
        _("MRI contraindication (MRI safety questionnaire)"),
        _mri_contraindicated,
        MRI_SAFETY_ITEMS,
    ),
)

WEEKS = 16
SESSIONS_PER_WEEK = 3
WEEK_16_DAY = WEEKS * 7  # 112 days after session 1

VISITS = (
    Visit("screening", _("Screening"), Anchor.SCREENING, 0, Window(0, 0)),
    # Baseline measures must precede session 1; done within 28 days of consent.
    Visit(
        "baseline",
        _("Baseline assessment"),
        Anchor.CONSENT,
        7,
        Window(0, 28),
        forms=(
            "sociodemographics",
            "medical_history",
            "mri_safety",
            "lsiq",
            "odi",
            "promis29",
            "sf12",
            "ipaq_short",
            "nprs",
            "mri",
            "medx",
            "dynamo",
            "actigraphy",
        ),
    ),
    Visit(
        "pre_interview",
        _("Pre-intervention interview"),
        Anchor.SESSION_1,
        -3,
        Window(-5, -1),
        optional=True,
    ),
    # Week 16: from the last week of training (day 105) to two weeks after the programme ends
    # (day 126), so the MRI slot and the 7-day actigraphy week fit without losing the timepoint.
    Visit(
        "week16",
        _("Week-16 assessment"),
        Anchor.SESSION_1,
        WEEK_16_DAY,
        Window(105, 126),
        forms=(
            "odi",
            "promis29",
            "sf12",
            "ipaq_short",
            "nprs",
            "sri",
            "mri",
            "medx",
            "dynamo",
            "actigraphy",
            "blinding_guess",
        ),
    ),
    *(
        Visit(
            f"pain_week_{week:02d}",
            _("Weekly pain rating, week {week} (Manage My Pain)", week=week),
            Anchor.SESSION_1,
            7 * week - 1,
            Window(7 * (week - 1), 7 * week - 1),
            forms=("mmp_pain",),
        )
        for week in range(1, WEEKS + 1)
    ),
    Visit(
        "post_interview",
        _("Post-intervention interview"),
        Anchor.FINAL_SESSION,
        3,
        Window(0, 7),
        optional=True,
    ),
)

# Session contents from the registration's intervention descriptions.
MC_ILEX_SESSION = SessionTemplate(
    "mc_ilex",
    _("Motor control + ILEX (MedX)"),
    exercises=(Exercise("medx_ilex", _("Isolated lumbar extension (MedX)"), load_unit="ft-lb"),),
    individualised=True,  # motor-control exercises follow each person's assessment
)
FREE_WEIGHT_SESSION_1 = SessionTemplate(
    "free_weight_1",
    _("Free-weight session 1"),
    exercises=(
        Exercise("single_leg_glute_raise", _("Single-leg gluteus raise")),
        Exercise("goblet_squat", _("Goblet squat")),
        Exercise("split_squat", _("Split squat")),
        Exercise("plank", _("Plank"), load_unit="", dose_unit="s"),
        Exercise("standing_row", _("Standing bent-over row")),
    ),
)
FREE_WEIGHT_SESSION_2 = SessionTemplate(
    "free_weight_2",
    _("Free-weight session 2"),
    exercises=(
        Exercise(
            "standard_warm_up",
            _(
                "Standardised warm-up (gluteus myofascial release, glute raise, multi-direction "
                "lunge, standing hamstring stretch to overhead squat, assisted squat)"
            ),
            load_unit="",
        ),
        Exercise("deadlift", _("Deadlift")),
        Exercise("step_up", _("Step-up")),
        Exercise("lat_pulldown", _("Lat pulldown")),
        Exercise("side_bridge", _("Side bridge"), load_unit="", dose_unit="s"),
        Exercise("press_up", _("Press-up"), load_unit=""),
    ),
)

SESSIONS = SessionPlan(
    total=WEEKS * SESSIONS_PER_WEEK,
    per_week=SESSIONS_PER_WEEK,
    weeks=WEEKS,
    day_offsets=(0, 2, 4),  # e.g. Monday, Wednesday, Friday
    templates=(MC_ILEX_SESSION, FREE_WEIGHT_SESSION_1, FREE_WEIGHT_SESSION_2),
    rotation={
        MC_ILEX.code: (("mc_ilex",) * SESSIONS_PER_WEEK,),
        # "2 x session 1 and 1 x session 2 in one week, and 1 x session 1 and 2 x session 2 in the
        # following week", alternating.
        FREE_WEIGHT.code: (
            ("free_weight_1", "free_weight_2", "free_weight_1"),
            ("free_weight_2", "free_weight_1", "free_weight_2"),
        ),
    },
)

CRF, QUESTIONNAIRE, DEVICE, APP = FormKind.CRF, FormKind.INSTRUMENT, FormKind.DEVICE, FormKind.APP
FORMS = (
    FormSpec("sociodemographics", _("Sociodemographic questionnaire"), CRF),
    FormSpec("medical_history", _("Medical history"), CRF),
    FormSpec("mri_safety", _("MRI safety questionnaire"), CRF),
    FormSpec("lsiq", _("Lumbar Spine Instability Questionnaire (LSIQ)"), QUESTIONNAIRE),
    FormSpec("odi", _("Oswestry Disability Index (ODI 2.1a)"), QUESTIONNAIRE),
    FormSpec("promis29", _("PROMIS-29 v2.0"), QUESTIONNAIRE),
    FormSpec("sf12", _("SF-12"), QUESTIONNAIRE),
    FormSpec("ipaq_short", _("IPAQ short form"), QUESTIONNAIRE),
    FormSpec("nprs", _("Numeric pain rating scale"), QUESTIONNAIRE),
    FormSpec("sri", _("Satisfaction and Recovery Index"), QUESTIONNAIRE),
    FormSpec("blinding_guess", _("Assessor's guess of the arm"), CRF, after_visit=True),
    FormSpec("mri", _("Lumbar MRI"), DEVICE),
    FormSpec("medx", _("MedX lumbar extension strength"), DEVICE),
    FormSpec("dynamo", _("VALD DynaMo hip strength and range of motion"), DEVICE),
    FormSpec("actigraphy", _("7-day actigraphy (AX3) and sleep diary"), DEVICE, after_visit=True),
    FormSpec("mmp_pain", _("Weekly pain rating (Manage My Pain)"), APP, after_visit=True),
)

# Equipment and methods of one arm only (MedX is also the strength test of both arms, so the
# machine's name alone is not listed; its exercise is). Arm, template and exercise names are added.
ARM_REVEALING_TERMS = (
    "ILEX", "lumbar extension machine", "motor control", "free weight", "free-weight",
    "dumbbell", "barbell", "kettlebell", "deadlift", "squat", "lunge", "press-up",
    # The same in French (staff write in both languages).
    "machine d\u2019extension lombaire", "contrôle moteur", "poids libres", "haltère", "haltères",
    "barre olympique", "soulevé de terre", "fente", "fentes", "pompes",
)  # fmt: skip

PROTOCOL = Protocol(
    registration="ISRCTN14864451",
    version="1",
    target_sample_size=106,
    arms=(MC_ILEX, FREE_WEIGHT),
    strata=(LSIQ_HIGH, LSIQ_LOW),
    stratification=LSIQ_STRATIFICATION,
    criteria=CRITERIA,
    visits=VISITS,
    sessions=SESSIONS,
    forms=FORMS,
    # Registration: primary outcome = disability (ODI) at 16 weeks.
    primary_outcome="odi",
    baseline_visit="baseline",
    primary_endpoint_visit="week16",
    arm_revealing_terms=ARM_REVEALING_TERMS,
    # Baseline measures precede session 1 (registration); the stratification questionnaire is
    # required by the stratum itself, so it is not repeated here.
    randomisation_preconditions=(
        Precondition(
            "odi", _("baseline disability questionnaire entered (verification may follow)")
        ),
        Precondition("medx", _("baseline MedX lumbar extension strength test")),
        Precondition("dynamo", _("baseline DynaMo hip strength tests")),
    ),
    analysis=ANALYSIS_PLAN,
    # The actigraph is worn for the 7 days after the assessment (registration); a file that
    # starts outside the visit's window or holds less than a day is refused at preview.
    device_wear=(DeviceWear("actigraphy", days=7, min_hours=24),),
)
