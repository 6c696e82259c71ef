"""PROMIS-29, SF-12, IPAQ short and SRI scoring against published and derived vectors; every
constant checked against its source table in shared/reference/instrument-tables.

[S] = published example (source cited), [D] = derived from the stated algorithm (checks that
the code follows the formula, not the formula against the developer)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from outcomes.instruments import InvalidResponse, ipaq_short, promis29, score, sf12, sri
from outcomes.instruments.promis29_tables import T_SCORES

Rows = Callable[[str], list[dict[str, str]]]


def promis(value: int = 3, pain: int | None = 5, **overrides: int | None) -> dict:
    answers: dict[str, int | None] = dict.fromkeys(promis29.ITEMS[:-1], value)
    answers["Global07"] = pain
    answers.update(overrides)
    return answers


# --- PROMIS-29 ---------------------------------------------------------------------------------


def test_every_promis_t_score_matches_the_source_table(instrument_tables: Rows) -> None:
    rows = instrument_tables("promis29_tscores.csv")
    assert len(rows) == 7 * 17
    for row in rows:
        t, se = T_SCORES[row["domain"]][int(row["raw_summed_score"])]
        assert (t, se) == (float(row["t_score"]), float(row["se"])), row
    assert {(row["domain"], int(row["raw_summed_score"])) for row in rows} == {
        (domain, raw) for domain, table in T_SCORES.items() for raw in table
    }


def test_promis_items_and_printed_scores_match_the_source(instrument_tables: Rows) -> None:
    rows = instrument_tables("promis29_items.csv")
    assert [row["item_id"] for row in rows] == list(promis29.ITEMS)
    for row in rows[:-1]:
        item = promis29.DEFINITION.item(row["item_id"])
        printed = dict(part.rsplit("=", 1) for part in row["response_scoring"].split("; "))
        shown = {text.en.rsplit(" (", 1)[0]: code for code, text in item.choices}
        assert shown == {label: int(code) for label, code in printed.items()}, row["item_id"]


def test_promis_summary_weights_match_the_source(instrument_tables: Rows) -> None:
    for row in instrument_tables("promis29_summary_weights.csv"):
        weights = (
            float(row["weight_physical_health_summary"]),
            float(row["weight_mental_health_summary"]),
        )
        assert promis29.SUMMARY_WEIGHTS[row["component"]] == weights


def test_promis_all_items_at_one_value_read_the_tables() -> None:
    result = score("promis29", promis(3))
    for domain in T_SCORES:
        assert result.subscores[domain] == T_SCORES[domain][12][0]
    assert result.total is None and result.missing == []
    assert result.subscores["pain_intensity"] == 5.0
    assert result.version == "promis29-v2.0-sum-A-prorate-ceil"


def test_promis_extremes_use_the_printed_scores() -> None:
    # Printed scores are entered: 5 everywhere is best physical function (57.0 in table A,
    # 56.9 in table B) and the worst anxiety (81.6).
    best_pf = score("promis29", promis(5)).subscores
    assert best_pf["physical_function"] == 57.0 and best_pf["anxiety"] == 81.6
    assert score("promis29", promis(1)).subscores["pain_interference"] == 41.6


def test_promis_proration_rounds_up() -> None:
    # [D] PF answered 5, 4, 4 (one missing): 13 x 4 / 3 = 17.33 -> 18 -> T 45.5. Rounding to the
    # nearest whole number would give 17 -> 43.5 (the disagreement noted in instruments.md §2.3).
    result = score("promis29", promis(PFA11=5, PFA21=4, PFA23=4, PFA53=None))
    assert result.subscores["physical_function"] == 45.5
    assert result.missing == ["PFA53"]
    assert "prorated from 3 of 4" in result.notes[0]
    # Exactly divisible: 2 answered of 3 and 3 -> 6 x 2 = 12 (no rounding).
    halves = score("promis29", promis(EDANX01=3, EDANX40=3, EDANX41=None, EDANX53=None))
    assert halves.subscores["anxiety"] == T_SCORES["anxiety"][12][0]


def test_promis_fewer_than_two_items_give_no_t_score_and_no_summaries() -> None:
    result = score("promis29", promis(HI7=4, AN3=None, FATEXP41=None, FATEXP40=None))
    assert result.subscores["fatigue"] is None
    assert result.subscores["physical_health_summary"] is None
    assert result.subscores["mental_health_summary"] is None
    assert result.subscores["physical_function"] == 36.7


def test_promis_summary_scores_follow_hays_2018() -> None:
    # [D] every item 3, pain 5: z per domain from the table, pain z = (5 - 2.31) / 2.34.
    s = score("promis29", promis(3, pain=5)).subscores
    z = {d: (T_SCORES[d][12][0] - 50) / 10 for d in T_SCORES}
    pain = (z["pain_interference"] + (5 - 2.31) / 2.34) / 2
    distress = (z["depression"] + z["anxiety"]) / 2
    physical = (
        0.872 * z["physical_function"]
        - 0.094 * pain
        + 0.113 * z["social_roles"]
        - 0.009 * z["fatigue"]
        + 0.003 * distress
        + 0.002 * z["sleep_disturbance"]
    )
    mental = (
        -0.015 * z["physical_function"]
        - 0.154 * pain
        + 0.252 * z["social_roles"]
        - 0.351 * z["fatigue"]
        - 0.257 * distress
        - 0.139 * z["sleep_disturbance"]
    )
    assert s["physical_health_summary"] == pytest.approx(50 + 10 * physical, abs=1e-9)
    assert s["mental_health_summary"] == pytest.approx(50 + 10 * mental, abs=1e-9)
    assert s["physical_health_summary"] == pytest.approx(36.6643, abs=1e-4)
    assert s["mental_health_summary"] == pytest.approx(40.6460, abs=1e-4)


def test_promis_missing_pain_intensity_leaves_the_t_scores() -> None:
    s = score("promis29", promis(3, pain=None)).subscores
    assert s["pain_intensity"] is None and s["physical_health_summary"] is None
    assert s["depression"] == 62.2


@pytest.mark.parametrize(("item", "bad"), [("PFA11", 0), ("Sleep109", 6), ("Global07", 11)])
def test_promis_out_of_range_names_the_item(item: str, bad: int) -> None:
    with pytest.raises(InvalidResponse, match=item):
        score("promis29", promis(**{item: bad}))


# --- SF-12 v1 ----------------------------------------------------------------------------------

SF12_VECTORS = [
    # awell-score sf12.test.ts, reproduced by an independent re-implementation [S + D]
    ("5,1,1,1,1,1,1,5,6,6,1,1", 23.99938, 19.06444),
    ("3,2,2,2,2,1,1,3,3,3,3,3", 48.60638, 33.57777),
    ("1,3,3,2,2,2,2,1,1,1,6,5", 56.57706, 60.75781),
    ("3,1,2,1,2,1,2,4,4,1,4,3", 37.10464, 46.00098),
]


@pytest.mark.parametrize(("answers", "pcs", "mcs"), SF12_VECTORS)
def test_sf12_published_vectors(answers: str, pcs: float, mcs: float) -> None:
    values = [int(v) for v in answers.split(",")]
    result = score("sf12", dict(zip(sf12.ITEMS, values, strict=True)))
    assert result.subscores["pcs"] == pytest.approx(pcs, abs=1e-5)
    assert result.subscores["mcs"] == pytest.approx(mcs, abs=1e-5)
    assert result.version == "sf12-v1-ware1995"


def test_every_sf12_weight_matches_the_source(instrument_tables: Rows) -> None:
    rows = instrument_tables("sf12v1_weights.csv")
    key = next(iter(rows[0]))
    table = {row[key]: (float(row["pcs12_weight"]), float(row["mcs12_weight"])) for row in rows}
    assert table.pop("CONSTANT") == (sf12.PCS_CONSTANT, sf12.MCS_CONSTANT)
    assert table == sf12.WEIGHTS


def test_sf12_needs_all_twelve_items() -> None:
    values = dict(zip(sf12.ITEMS, [3, 2, 2, 2, 2, 1, 1, 3, 3, 3, 3, None], strict=True))
    result = score("sf12", values)
    assert result.subscores == {"pcs": None, "mcs": None} and result.missing == ["sf12_12"]


@pytest.mark.parametrize(("item", "bad"), [("sf12_02", 4), ("sf12_04", 3), ("sf12_09", 7)])
def test_sf12_item_ranges_differ_per_item(item: str, bad: int) -> None:
    values = dict(zip(sf12.ITEMS, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], strict=True))
    with pytest.raises(InvalidResponse, match=item):
        score("sf12", {**values, item: bad})


# --- IPAQ short --------------------------------------------------------------------------------


def ipaq(vig=(0, 0), mod=(0, 0), walk=(0, 0), sit: int | None = 300) -> dict:
    return {
        "vig_days": vig[0],
        "vig_minutes": vig[1],
        "mod_days": mod[0],
        "mod_minutes": mod[1],
        "walk_days": walk[0],
        "walk_minutes": walk[1],
        "sit_minutes": sit,
    }


def test_ipaq_met_values_match_the_source(instrument_tables: Rows) -> None:
    short = {
        row["activity"]: float(row["MET"])
        for row in instrument_tables("ipaq_met_values.csv")
        if row["form"] == "short"
    }
    assert short == ipaq_short.MET


@pytest.mark.parametrize(
    ("answers", "total", "category"),
    [
        # [D] instruments.md §4.3
        (ipaq(vig=(3, 30), mod=(2, 40), walk=(5, 30)), 1535.0, 3.0),
        (ipaq(walk=(7, 20)), 462.0, 1.0),
        (ipaq(walk=(7, 200)), 4158.0, 3.0),
        # [S3] the guidelines' truncation example: 6 x 10 min walking + 1 day of 12 h moderate:
        # 3078 MET-min and "high" untruncated, 918 and "moderate" truncated.
        (ipaq(mod=(1, 720), walk=(6, 10)), 918.0, 2.0),
        # [D] moderate by ">= 3 days of vigorous >= 20 min" alone (480 MET-min)
        (ipaq(vig=(3, 20)), 480.0, 2.0),
        # [D] moderate by 5 days of moderate/walking >= 30 min: 3 + 2 days (mod 3x30, walk 2x30)
        (ipaq(mod=(3, 30), walk=(2, 30)), 558.0, 2.0),
        # [D] 4 + 0 long days, 7 days in all but 462 MET-min: low
        (ipaq(mod=(4, 15), walk=(3, 15)), 388.5, 1.0),
    ],
)
def test_ipaq_vectors(answers: dict, total: float, category: float) -> None:
    result = score("ipaq_short", answers)
    assert result.total == pytest.approx(total)
    assert result.subscores["category"] == category
    parts = [result.subscores[name] for name in ("vigorous", "moderate", "walking")]
    assert sum(parts) == pytest.approx(total)  # type: ignore[arg-type]


def test_ipaq_outlier_over_960_minutes_excludes_the_case() -> None:
    result = score("ipaq_short", ipaq(vig=(7, 600), mod=(7, 400)))
    assert result.total is None and result.subscores["category"] is None
    assert "960" in result.notes[0]


def test_ipaq_minimum_bout_and_truncation() -> None:
    short = score("ipaq_short", ipaq(vig=(5, 9), walk=(7, 30)))
    assert short.subscores["vigorous"] == 0.0 and short.total == pytest.approx(693.0)
    long = score("ipaq_short", ipaq(vig=(1, 240)))
    assert long.subscores["vigorous"] == 8.0 * 180 and "truncated" in long.notes[0]


def test_ipaq_days_without_minutes_exclude_and_zero_days_need_no_minutes() -> None:
    excluded = score("ipaq_short", ipaq(mod=(3, None)))  # type: ignore[arg-type]
    assert excluded.total is None and "no time per day" in excluded.notes[0]
    no_days = score("ipaq_short", ipaq(mod=(None, 30)))  # type: ignore[arg-type]
    assert no_days.total is None
    zero = score("ipaq_short", ipaq(mod=(0, None), walk=(7, 60)))  # type: ignore[arg-type]
    assert zero.total == pytest.approx(3.3 * 60 * 7) and zero.subscores["category"] == 2.0


def test_ipaq_sitting_is_not_scored_and_may_be_missing() -> None:
    assert score("ipaq_short", ipaq(walk=(7, 60), sit=None)).total == pytest.approx(1386.0)


@pytest.mark.parametrize(("item", "bad"), [("vig_days", 8), ("walk_minutes", 1441)])
def test_ipaq_impossible_values_are_refused(item: str, bad: int) -> None:
    with pytest.raises(InvalidResponse, match=item):
        score("ipaq_short", {**ipaq(), item: bad})


def test_ipaq_soft_checks_warn_but_do_not_refuse() -> None:
    answers = ipaq_short.DEFINITION.validate(ipaq(vig=(2, 0), mod=(3, 5), walk=(1, 200)))
    warnings = [w.en for w in ipaq_short.DEFINITION.soft_checks(answers)]
    assert any("0 or no minutes" in w for w in warnings)
    assert any("under 10" in w for w in warnings)
    assert any("count as 180" in w for w in warnings)
    assert score("ipaq_short", ipaq(vig=(2, 0), mod=(3, 5), walk=(1, 200))).total is not None


# --- SRI ---------------------------------------------------------------------------------------

IMPORTANCE = [10, 8, 5, 10, 7, 9, 6, 10, 3]
SATISFACTION = [5, 6, 8, 4, 7, 3, 9, 5, 10]


def sri_answers(importance: list, satisfaction: list) -> dict:
    return {
        **dict(zip(sri.IMPORTANCE, importance, strict=True)),
        **dict(zip(sri.SATISFACTION, satisfaction, strict=True)),
    }


def test_sri_derived_vector() -> None:
    # [D] instruments.md §7: 38.8 / 68 x 100 = 57.06
    result = score("sri", sri_answers(IMPORTANCE, SATISFACTION))
    assert result.total == pytest.approx(57.0588, abs=1e-4) and result.version == "sri-walton2014"


def test_sri_blog_example_item_weights() -> None:
    # [S] pirlresearch.com: importance 10, satisfaction 5 -> 5.0; importance 7 -> 3.5. With one
    # item of each kind rated and the rest importance 0: (5.0 + 3.5) / 17 x 100.
    importance = [10, 7, 0, 0, 0, 0, 0, 0, 0]
    satisfaction = [5, 5, 0, 0, 0, 0, 0, 0, 0]
    assert score("sri", sri_answers(importance, satisfaction)).total == pytest.approx(
        8.5 / 17 * 100
    )


def test_sri_missing_items_drop_out_of_both_sums_down_to_seven() -> None:
    two_missing = sri_answers([*IMPORTANCE[:7], None, None], SATISFACTION)
    weighted = sum(i * s / 10 for i, s in zip(IMPORTANCE[:7], SATISFACTION[:7], strict=True))
    assert score("sri", two_missing).total == pytest.approx(100 * weighted / sum(IMPORTANCE[:7]))
    three_missing = sri_answers(IMPORTANCE[:6] + [None] * 3, SATISFACTION)
    assert score("sri", three_missing).total is None


def test_sri_all_importance_zero_is_undefined() -> None:
    result = score("sri", sri_answers([0] * 9, SATISFACTION))
    assert result.total is None and "undefined" in result.notes[0]
    assert math.isfinite(score("sri", sri_answers([1] * 9, [0] * 9)).total or 0.0)
