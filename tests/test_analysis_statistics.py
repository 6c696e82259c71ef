"""The SAP's statistics against independent truths: closed-form least squares, coverage of a
known effect over seeded replicates, planted mediation and moderation, published blinding-index
examples (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from outcomes.analysis.imputation import analyse_imputed, impute
from outcomes.analysis.mediation import mediation
from outcomes.analysis.moderation import moderation
from outcomes.analysis.regression import ancova
from randomization.blinding_index import bang_with_ci, james_index

TRUE_EFFECT = -8.0  # ODI points, experimental minus control


def synthetic_trial(seed: int, n: int = 106, effect: float = TRUE_EFFECT) -> pd.DataFrame:
    """Baseline ODI ~ N(35, 12); week 16 = 10 + 0.6 · baseline - 3 · high stratum + effect · arm
    + N(0, 10)."""
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % 2)
    high = rng.integers(0, 2, n)
    baseline = rng.normal(35, 12, n)
    week16 = 10 + 0.6 * baseline - 3 * high + effect * arm + rng.normal(0, 10, n)
    return pd.DataFrame({
        "arm": arm, "stratum": np.where(high == 1, "LSIQ_HIGH", "LSIQ_LOW"),
        "stratum_high": high, "odi_0": baseline, "odi_16": week16,
    })  # fmt: skip


def closed_form(frame: pd.DataFrame) -> tuple[float, float, float, float]:
    """(X'X)^-1 X'y by hand: intercept, arm, baseline, LSIQ_LOW indicator."""
    x = np.column_stack([
        np.ones(len(frame)), frame["arm"], frame["odi_0"],
        (frame["stratum"] == "LSIQ_LOW").astype(float),
    ])  # fmt: skip
    y = frame["odi_16"].to_numpy()
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residual = y - x @ beta
    df = len(y) - x.shape[1]
    se = np.sqrt(residual @ residual / df * xtx_inv[1, 1])
    t = stats.t.ppf(0.975, df)
    return beta[1], se, beta[1] - t * se, beta[1] + t * se


def test_ancova_equals_closed_form_least_squares() -> None:
    frame = synthetic_trial(seed=7)
    effect = ancova(frame, "odi_16", "odi_0")
    estimate, se, low, high = closed_form(frame)
    assert effect.estimate == pytest.approx(estimate, abs=1e-8)
    assert effect.se == pytest.approx(se, abs=1e-8)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((low, high), abs=1e-8)
    assert effect.n == 106 and effect.df == 102


def test_ancova_interval_covers_a_known_effect_in_about_95_percent_of_trials() -> None:
    covered = 0
    for replicate in range(1000):
        effect = ancova(synthetic_trial(seed=10_000 + replicate), "odi_16", "odi_0")
        covered += effect.ci_low <= TRUE_EFFECT <= effect.ci_high
    assert 930 <= covered <= 970, covered


def test_imputation_without_missing_data_equals_the_complete_case_fit() -> None:
    frame = synthetic_trial(seed=3)
    columns = ["odi_16", "odi_0", "arm", "stratum_high"]
    pooled = analyse_imputed(frame, columns, lambda d: ancova(d, "odi_16", "odi_0"), m=20)
    complete = ancova(frame, "odi_16", "odi_0")
    assert pooled.between_variance == 0.0
    assert pooled.effect.estimate == pytest.approx(complete.estimate, abs=1e-12)
    assert pooled.effect.se == pytest.approx(complete.se, abs=1e-12)
    assert (pooled.effect.ci_low, pooled.effect.ci_high) == pytest.approx(
        (complete.ci_low, complete.ci_high), abs=1e-12
    )


def test_imputation_of_missing_outcomes_is_seeded_and_pools_with_rubins_rules() -> None:
    frame = synthetic_trial(seed=11, n=400)
    full_data = ancova(frame, "odi_16", "odi_0")
    rng = np.random.default_rng(5)
    # Missing at random: a higher baseline makes a missing week-16 more likely.
    drop = rng.random(len(frame)) < np.where(frame["odi_0"] > 40, 0.45, 0.1)
    frame.loc[drop, "odi_16"] = np.nan
    columns = ["odi_16", "odi_0", "arm", "stratum_high"]
    fit = lambda d: ancova(d, "odi_16", "odi_0")  # noqa: E731
    first = analyse_imputed(frame, columns, fit, m=20, seed=1)
    again = analyse_imputed(frame, columns, fit, m=20, seed=1)
    assert first.effect == again.effect  # same seed, same answer
    assert first.between_variance > 0 and 0.15 < first.missing_fraction < 0.4
    total = first.within_variance + (1 + 1 / 20) * first.between_variance
    assert first.effect.se == pytest.approx(np.sqrt(total))
    assert first.effect.ci_low < full_data.estimate < first.effect.ci_high
    assert first.effect.se > full_data.se  # the lost information shows in the interval
    completed = impute(frame, columns, m=2, seed=1)
    assert not completed[0]["odi_16"].isna().any()
    observed = ~drop
    assert (completed[0].loc[observed, "odi_16"] == frame.loc[observed, "odi_16"]).all()


def test_mediation_recovers_a_planted_indirect_effect() -> None:
    rng = np.random.default_rng(21)
    n = 106
    arm = rng.permutation(np.arange(n) % 2)
    baseline_ff = rng.normal(15, 4, n)
    delta_ff = -2.0 * arm + 0.1 * baseline_ff + rng.normal(0, 1.0, n)  # a = -2
    delta_odi = 1.5 * delta_ff - 1.0 * arm + rng.normal(0, 2.0, n)  # b = 1.5, c' = -1
    frame = pd.DataFrame({"arm": arm, "dff": delta_ff, "dodi": delta_odi, "ff0": baseline_ff})
    result = mediation(frame, "arm", "dff", "dodi", covariates=["ff0"], resamples=2000, seed=4)
    assert result.indirect_ci[0] < -3.0 < result.indirect_ci[1]
    assert result.indirect_ci[1] < 0  # the planted effect is detected
    assert result.total == pytest.approx(result.direct + result.a * result.b)
    again = mediation(frame, "arm", "dff", "dodi", covariates=["ff0"], resamples=2000, seed=4)
    assert again.indirect_ci == result.indirect_ci


def test_moderation_recovers_a_planted_interaction() -> None:
    rng = np.random.default_rng(8)
    n = 300
    arm = rng.permutation(np.arange(n) % 2)
    lsiq = rng.integers(0, 23, n).astype(float)
    odi_0 = rng.normal(35, 10, n)
    odi_16 = 5 + 0.6 * odi_0 - 8 * arm - 0.8 * arm * (lsiq - lsiq.mean()) + rng.normal(0, 6, n)
    frame = pd.DataFrame({"arm": arm, "lsiq": lsiq, "odi_0": odi_0, "odi_16": odi_16,
                          "stratum": np.where(lsiq >= 9, "high", "low")})  # fmt: skip
    result = moderation(frame, "odi_16", "lsiq", baseline="odi_0")
    assert result.interaction.ci_low < -0.8 < result.interaction.ci_high
    assert result.interaction.ci_high < 0
    (_, low_value, low), (_, _, middle), (_, high_value, high) = result.simple_slopes
    assert low.estimate > middle.estimate > high.estimate  # the effect grows with the LSIQ
    assert high.estimate - low.estimate == pytest.approx(
        result.interaction.estimate * (high_value - low_value)
    )


def test_bang_index_with_interval_matches_published_examples() -> None:
    # The R package blindingIndex's documented example: active (1 correct, 1 do not know) gives
    # 0.5 with SE 0.3535534; control (1 correct, 1 incorrect) gives 0 with SE 0.7071068.
    pairs = [("active", "active"), ("active", "dont_know"), ("control", "active"),
             ("control", "control")]  # fmt: skip
    result = bang_with_ci(pairs, ["active", "control"])
    assert result["active"].estimate == pytest.approx(0.5)
    assert result["active"].se == pytest.approx(0.3535534, abs=1e-7)
    assert result["active"].ci_low == pytest.approx(-0.1929519, abs=1e-6)
    assert result["control"].estimate == 0.0
    assert result["control"].se == pytest.approx(0.7071068, abs=1e-7)
    assert result["control"].ci_high == pytest.approx(1.385904, abs=1e-6)


def test_james_index_anchors() -> None:
    arms = ["A", "B"]
    random = [("A", "A"), ("A", "B"), ("B", "A"), ("B", "B")] * 25
    assert james_index(random, arms).estimate == pytest.approx(0.5)  # random guessing
    everyone_right = [("A", "A"), ("B", "B")] * 30
    assert james_index(everyone_right, arms).estimate == pytest.approx(0.0)  # unblinded
    nobody_knows = [("A", "dont_know"), ("B", "dont_know")] * 10
    assert james_index(nobody_knows, arms).estimate == 1.0
    mixed = james_index([("A", "A")] * 30 + [("A", "B")] * 10 + [("B", "B")] * 25
                        + [("B", "A")] * 15 + [("A", "dont_know")] * 20, arms)  # fmt: skip
    assert 0 < mixed.ci_low < mixed.estimate < mixed.ci_high < 1


def test_bang_index_on_bang_2004s_worked_example() -> None:
    """CRISP, Bang, Ni & Davis 2004 Table 7 (counts as the R package BI's documentation gives
    them): treatment arm 82 right, 25 wrong, 170 do not know; placebo arm 29 right, 27 wrong, 83
    do not know. The paper's one-sided 95 % limits are the two-sided 90 % interval's ends."""
    pairs = [("T", "T")] * 82 + [("T", "P")] * 25 + [("T", "dont_know")] * 170
    pairs += [("P", "P")] * 29 + [("P", "T")] * 27 + [("P", "dont_know")] * 83
    result = bang_with_ci(pairs, ["T", "P"], level=0.90)
    treatment, placebo = result["T"], result["P"]
    assert (treatment.n, placebo.n) == (277, 139)
    assert round(treatment.estimate, 2) == 0.21 and round(placebo.estimate, 2) == 0.01
    assert treatment.estimate == pytest.approx(57 / 277)
    assert (round(treatment.ci_low, 2), round(treatment.ci_high, 2)) == (0.15, 0.26)
    assert (round(placebo.ci_low, 2), round(placebo.ci_high, 2)) == (-0.07, 0.10)
    james = james_index(pairs, ["T", "P"])
    assert james.n == 416 and 0.5 < james.estimate < 1  # more blinded than random guessing
