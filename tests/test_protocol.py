"""The declarative protocol: eligibility at every boundary, LSIQ stratum, visit windows."""

from __future__ import annotations

import datetime as dt

import pytest

from trial.eligibility import evaluate
from trial.protocol import PROTOCOL
from trial.protocol.dates import add_months, age_in_years
from trial.protocol.strongback import MRI_SAFETY_ITEMS, PDDM_REQUIRED

SCREENED = dt.date(2026, 6, 15)


def eligible_facts(**overrides: object) -> dict[str, object]:
    facts: dict[str, object] = {
        "screened_on": SCREENED,
        "date_of_birth": dt.date(1980, 1, 1),
        "lbp_onset": dt.date(2025, 1, 1),
        "lbp_half_days_last_6_months": True,
        "languages": ["fr"],
        "pddm_nociceptive": "A",
        "pddm_nervous_system": "0",
        "pddm_comorbidity": "0",
        "pddm_cognitive_emotional": "0",
        "pddm_contextual": "0",
        "previous_spinal_surgery": False,
        "vertebral_fracture": False,
        "radiculopathy": False,
        "spondylolysis": False,
        "spondylolisthesis": False,
        "scoliosis_degrees": 0,
        "exercise_limiting_condition": False,
        **{item: False for item in MRI_SAFETY_ITEMS},
    }
    facts.update(overrides)
    return facts


def outcome(**overrides: object) -> tuple[bool, set[str]]:
    result = evaluate(PROTOCOL.criteria, eligible_facts(**overrides))
    return result.eligible, {r.code for r in result.failed} | {r.code for r in result.unknown}


def born_years_before(years: int, days_after: int = 0) -> dt.date:
    """Date of birth making the person exactly ``years`` old on SCREENED (+ days younger)."""
    return SCREENED.replace(year=SCREENED.year - years) + dt.timedelta(days=days_after)


def test_baseline_facts_are_eligible() -> None:
    assert outcome() == (True, set())


@pytest.mark.parametrize(
    ("dob", "eligible"),
    [
        (born_years_before(18, days_after=1), False),  # 17, turns 18 tomorrow
        (born_years_before(18), True),  # 18th birthday today
        (born_years_before(60), True),
        (born_years_before(61, days_after=1), True),  # still 60, 61 tomorrow
        (born_years_before(61), False),  # 61 today
    ],
)
def test_age_boundaries(dob: dt.date, eligible: bool) -> None:
    assert outcome(date_of_birth=dob)[0] is eligible
    assert ("age" in outcome(date_of_birth=dob)[1]) is not eligible


@pytest.mark.parametrize(
    ("onset", "eligible"),
    [
        (add_months(SCREENED, -3), True),  # exactly 3 months: NIH "at least 3 months"
        (add_months(SCREENED, -3) + dt.timedelta(days=1), False),  # one day short
        (add_months(SCREENED, -12), True),
    ],
)
def test_chronic_lbp_three_months_exactly(onset: dt.date, eligible: bool) -> None:
    assert outcome(lbp_onset=onset) == (eligible, set() if eligible else {"chronic_lbp"})


def test_chronic_lbp_needs_pain_on_half_the_days() -> None:
    assert outcome(lbp_half_days_last_6_months=False) == (False, {"chronic_lbp"})


@pytest.mark.parametrize("languages", [["en"], ["fr"], ["en", "es"]])
def test_english_or_french(languages: list[str]) -> None:
    assert outcome(languages=languages)[0]


def test_other_language_only_is_excluded() -> None:
    assert outcome(languages=["es"]) == (False, {"language"})


@pytest.mark.parametrize("domain", sorted(PDDM_REQUIRED))
@pytest.mark.parametrize("category", ["0", "A", "B"])
def test_each_pddm_category(domain: str, category: str) -> None:
    eligible = category in PDDM_REQUIRED[domain]
    assert outcome(**{domain: category}) == (eligible, set() if eligible else {"pddm_nociceptive"})


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"previous_spinal_surgery": True}, "spinal_surgery_or_fracture"),
        ({"vertebral_fracture": True}, "spinal_surgery_or_fracture"),
        ({"radiculopathy": True}, "radiculopathy"),
        ({"spondylolysis": True}, "structural_abnormality"),
        ({"spondylolisthesis": True}, "structural_abnormality"),
        ({"scoliosis_degrees": 10.5}, "structural_abnormality"),
        ({"exercise_limiting_condition": True}, "exercise_limiting_condition"),
    ],
)
def test_each_exclusion(overrides: dict, code: str) -> None:
    assert outcome(**overrides) == (False, {code})


def test_scoliosis_of_exactly_ten_degrees_is_allowed() -> None:
    assert outcome(scoliosis_degrees=10)[0]


@pytest.mark.parametrize("item", MRI_SAFETY_ITEMS)
def test_each_mri_safety_item_excludes(item: str) -> None:
    assert outcome(**{item: True}) == (False, {"mri_contraindication"})


@pytest.mark.parametrize("item", ["mri_tattoo", "mri_piercing", "mri_braces"])
def test_mri_unit_may_clear_conditional_items(item: str) -> None:
    assert outcome(**{item: True, "mri_cleared_by_unit": True})[0]


def test_pacemaker_cannot_be_cleared() -> None:
    assert not outcome(mri_pacemaker=True, mri_cleared_by_unit=True)[0]


def test_missing_facts_are_unknown_never_eligible() -> None:
    result = evaluate(PROTOCOL.criteria, eligible_facts(radiculopathy=None, languages=None))
    assert not result.eligible
    assert {r.code for r in result.unknown} == {"radiculopathy", "language"}
    assert result.failed == ()
    assert dict((r.code, r.missing) for r in result.unknown)["language"] == ("languages",)


@pytest.mark.parametrize(
    ("score", "stratum"),
    [(0, "LSIQ_LOW"), (8, "LSIQ_LOW"), (9, "LSIQ_HIGH"), (10, "LSIQ_HIGH"), (15, "LSIQ_HIGH")],
)
def test_lsiq_stratum_cut_off(score: int, stratum: str) -> None:
    assert PROTOCOL.stratification.stratum_for(score) == stratum


def test_arms_and_strata_codes_are_exact() -> None:
    assert [(a.code, a.label) for a in PROTOCOL.arms] == [
        ("MC_ILEX", "Motor control + isolated lumbar extension"),
        ("FREE_WEIGHT", "Free-weight resistance training"),
    ]
    assert [s.code for s in PROTOCOL.strata] == ["LSIQ_HIGH", "LSIQ_LOW"]
    assert PROTOCOL.sessions.total == 48 and PROTOCOL.target_sample_size == 106


@pytest.mark.parametrize(
    ("visit", "day", "inside"),
    [
        ("week16", 104, False),
        ("week16", 105, True),
        ("week16", 112, True),
        ("week16", 126, True),
        ("week16", 127, False),
        ("pre_interview", -6, False),
        ("pre_interview", -5, True),
        ("pre_interview", -1, True),
        ("pre_interview", 0, False),
        ("post_interview", -1, False),
        ("post_interview", 0, True),
        ("post_interview", 7, True),
        ("post_interview", 8, False),
        ("baseline", -1, False),
        ("baseline", 0, True),
        ("baseline", 28, True),
        ("baseline", 29, False),
    ],
)
def test_visit_window_edges(visit: str, day: int, inside: bool) -> None:
    anchor = dt.date(2026, 2, 2)
    assert PROTOCOL.visit(visit).in_window(anchor, anchor + dt.timedelta(days=day)) is inside


def test_week16_target_is_sixteen_weeks_after_session_1() -> None:
    assert PROTOCOL.visit("week16").target_date(dt.date(2026, 1, 5)) == dt.date(2026, 4, 27)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 15), 3, dt.date(2027, 2, 15)),
        (dt.date(2026, 3, 15), -3, dt.date(2025, 12, 15)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_age_on_leap_day_birthday() -> None:
    assert age_in_years(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_in_years(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


def test_protocol_modules_import_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, trial.protocol.strongback, trial.eligibility; "
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
