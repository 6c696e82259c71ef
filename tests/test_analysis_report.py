"""The SAP run end to end on a synthetic analysis dataset shaped like the real one: every
analysis estimable or saying why, the dummy label on every page, a PDF that opens."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from outcomes.analysis.report import DUMMY_BANNER, ReportMeta, render_html, render_pdf
from outcomes.analysis.sap import run
from trial.protocol import PROTOCOL

PLAN = PROTOCOL.analysis


def analysis_frame(n: int = 106, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % 2)
    frame = pd.DataFrame({
        "study_id": [f"SB-{i:03d}" for i in range(n)],
        "arm": np.where(arm == 1, "MC_ILEX", "FREE_WEIGHT"),
        "arm_experimental": arm,
        "stratum": np.where(rng.random(n) < 0.5, "LSIQ_HIGH", "LSIQ_LOW"),
        "adherence_pct": rng.uniform(40, 100, n).round(1),
        "lsiq_0": rng.integers(0, 23, n).astype(float),
        "in_itt": 1,
        "in_pp": (rng.random(n) < 0.7).astype(int),
        "blinding_guess": rng.choice(["MC_ILEX", "FREE_WEIGHT", "dont_know"], n),
    })  # fmt: skip
    frame["stratum_high"] = (frame["stratum"] == "LSIQ_HIGH").astype(float)
    for outcome in PLAN.outcomes:
        base = rng.normal(30, 8, n)
        end = 0.6 * base + 10 - 3 * arm + rng.normal(0, 6, n)
        end[rng.random(n) < 0.1] = np.nan  # some week-16 values missing
        frame[f"{outcome.code}_0"] = base if outcome.adjust_for_baseline else np.nan
        frame[f"{outcome.code}_16"] = end
        frame[f"{outcome.code}_chg"] = end - base if outcome.adjust_for_baseline else np.nan
    return frame


META = ReportMeta("STRONG-BACK SAP", True, "2026-12-01T00:00:00Z", "0" * 64, "test", "stat",
                  ("MC_ILEX", "FREE_WEIGHT"))  # fmt: skip


def test_every_analysis_of_the_plan_runs_on_a_trial_shaped_dataset() -> None:
    result = run(analysis_frame(), PLAN, real_arms=True)
    assert [r.population for r in result.primary] == ["itt", "itt", "pp"]
    assert all(r.effect is not None for r in result.primary), [r.problem for r in result.primary]
    imputed, complete = result.primary[:2]
    assert imputed.effect.n == 106 and complete.effect.n < 106  # imputation keeps everyone
    assert len(result.secondary) == len(PLAN.outcomes) - 1
    assert all(r.effect is not None for r in result.secondary)
    assert result.mediation is not None and result.mediation.resamples == 2000
    assert result.moderation is not None
    assert set(result.bang) == {"MC_ILEX", "FREE_WEIGHT"} and result.james is not None
    assert set(result.table1.columns) == {"characteristic", "MC_ILEX", "FREE_WEIGHT"}


def test_what_cannot_be_estimated_says_why() -> None:
    frame = analysis_frame(n=20)
    frame["mf_fat_fraction_16"] = np.nan
    frame["mf_fat_fraction_chg"] = np.nan
    frame["lsiq_0"] = np.nan
    result = run(frame, PLAN, real_arms=False)
    fat = next(r for r in result.secondary if r.outcome.code == "mf_fat_fraction")
    assert fat.effect is None and "no participant has this outcome" in fat.problem
    assert result.mediation is None and result.mediation_problem
    assert result.moderation is None and "LSIQ" in result.moderation_problem
    assert result.blinding_problem.startswith("needs the real arms")
    html = render_html(result, META)
    assert "not estimable" in html.lower() and "Not estimable" in html


def test_the_dummy_report_is_labelled_and_the_pdf_opens() -> None:
    result = run(analysis_frame(), PLAN, real_arms=False)
    html = render_html(result, META)
    assert html.count(escape(DUMMY_BANNER)) >= 3  # top and bottom of the page, the summary
    assert "data:image/png;base64," in html
    pdf = render_pdf(result, META)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
