"""STRONG-BACK's outcome measures as analysed: the DynaMo tests the protocol names, the L1-L5
multifidus composite and the statistical analysis plan (registration, "Statistical analysis
plan" and outcome list; the per-protocol rule and composite definitions are the SAP's)."""

from __future__ import annotations

from trial.protocol.analysis import AnalysisOutcome, AnalysisPlan, Combine, Population

SIDES = ("left", "right")
SPINE_LEVELS = ("L1", "L2", "L3", "L4", "L5")
# Registration outcomes 4 and 5: gluteal strength, and hip flexion / extension range of motion.
DYNAMO_STRENGTH = ("hip_extension", "hip_abduction")
DYNAMO_RANGE = ("hip_flexion", "hip_extension")


def _multifidus(measure: str) -> tuple[str, ...]:
    return tuple(
        f"mri_multifidus_{side}_{level}_{measure}" for level in SPINE_LEVELS for side in SIDES
    )


def _both_sides(template: str) -> tuple[str, ...]:
    return tuple(template.format(side=side) for side in SIDES)


OUTCOMES = (
    AnalysisOutcome("odi", "Oswestry Disability Index", ("odi_total",), "%", primary=True),
    AnalysisOutcome(
        "mf_fat_fraction",
        "Multifidus fat fraction, L1-L5 both sides (mean)",
        _multifidus("fat_fraction_pct"),
        "%",
        Combine.MEAN,
    ),
    AnalysisOutcome(
        "mf_csa",
        "Multifidus CSA at mid-level, L1-L5 both sides (sum)",
        _multifidus("csa_mm2"),
        "mm2",
        Combine.SUM,
    ),
    AnalysisOutcome(
        "mf_volume",
        "Multifidus volume, L1-L5 both sides (sum)",
        _multifidus("volume_mm3"),
        "mm3",
        Combine.SUM,
    ),
    AnalysisOutcome(
        "medx_strength", "MedX lumbar extension strength index", ("medx_strength_index",), "N·m·°"
    ),
    *(
        AnalysisOutcome(
            f"dynamo_{movement}",
            f"DynaMo {movement.replace('_', ' ')} torque / body mass (mean of sides)",
            _both_sides(f"dynamo_{movement}_{{side}}_torque_per_kg"),
            "N·m/kg",
            Combine.MEAN,
        )
        for movement in DYNAMO_STRENGTH
    ),
    *(
        AnalysisOutcome(
            f"dynamo_rom_{movement}",
            f"DynaMo hip {movement.split('_')[1]} range of motion (mean of sides)",
            _both_sides(f"dynamo_rom_{movement}_{{side}}_deg"),
            "°",
            Combine.MEAN,
        )
        for movement in DYNAMO_RANGE
    ),
    *(
        AnalysisOutcome(
            f"promis29_{domain}", f"PROMIS-29 {domain.replace('_', ' ')}", (f"promis29_{domain}",)
        )
        for domain in (
            "physical_function",
            "anxiety",
            "depression",
            "fatigue",
            "sleep_disturbance",
            "social_roles",
            "pain_interference",
            "pain_intensity",
        )
    ),
    AnalysisOutcome("nprs", "Pain intensity (NPRS)", ("nprs_total",), "0-10"),
    AnalysisOutcome("sf12_pcs", "SF-12 physical component summary", ("sf12_pcs",)),
    AnalysisOutcome("sf12_mcs", "SF-12 mental component summary", ("sf12_mcs",)),
    AnalysisOutcome(
        "sri", "Satisfaction and Recovery Index", ("sri_total",), "%", adjust_for_baseline=False
    ),
    AnalysisOutcome(
        "sleep_efficiency", "Sleep efficiency (actigraphy)", ("actigraphy_efficiency_pct",), "%"
    ),
    AnalysisOutcome("sleep_tst", "Total sleep time (actigraphy)", ("actigraphy_tst_min",), "min"),
    AnalysisOutcome(
        "ipaq_met", "Physical activity (IPAQ total)", ("ipaq_short_total",), "MET-min/week"
    ),
)

ANALYSIS_PLAN = AnalysisPlan(
    populations=(
        Population("itt", "Intention to treat (all randomised, as allocated)"),
        Population("pp", "Per protocol", min_attended_share=0.75, endpoint_in_window=True),
    ),
    primary_population="itt",
    outcomes=OUTCOMES,
    mediator="mf_fat_fraction",
    mediated="odi",
    moderator="lsiq_total",
)
