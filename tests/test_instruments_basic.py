"""ODI, LSIQ and NPRS scoring (outcomes.instruments)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outcomes.instruments import InvalidResponse, score

ODI_ITEMS = [f"odi_{i:02d}" for i in range(1, 11)]


def odi_with_sum(total: int, missing: int = 0) -> dict[str, int | None]:
    """Ten sections summing to ``total`` over the answered ones (the last ``missing`` are None)."""
    answered = 10 - missing
    values = [min(5, max(0, total - 5 * i)) for i in range(answered)]
    assert sum(values) == total
    return dict(zip(ODI_ITEMS, values + [None] * missing, strict=True))


def test_odi_worked_example_all_answered() -> None:
    # Fairbank & Pynsent 2000 as quoted in instruments.md §1.2: 16/50 -> 32 %.
    result = score("odi", odi_with_sum(16))
    assert result.total == pytest.approx(32.0) and result.version == "odi-2.1a"
    assert result.missing == []


def test_odi_worked_example_one_missing() -> None:
    # 16/45 -> 35.56 % (unrounded).
    result = score("odi", odi_with_sum(16, missing=1))
    assert result.total == pytest.approx(35.5556, abs=1e-4)
    assert result.missing == ["odi_10"]


def test_odi_two_missing_gives_no_total() -> None:
    result = score("odi", odi_with_sum(16, missing=2))
    assert result.total is None and result.missing == ["odi_09", "odi_10"]


def test_odi_extremes() -> None:
    assert score("odi", dict.fromkeys(ODI_ITEMS, 0)).total == 0.0
    assert score("odi", dict.fromkeys(ODI_ITEMS, 5)).total == 100.0


@pytest.mark.parametrize("bad", [6, -1, 2.5, "3", True])
def test_odi_invalid_values_name_the_item(bad: object) -> None:
    with pytest.raises(InvalidResponse, match="odi_04"):
        score("odi", {**dict.fromkeys(ODI_ITEMS, 1), "odi_04": bad})


def test_unknown_item_and_instrument() -> None:
    with pytest.raises(InvalidResponse, match="odi_11"):
        score("odi", {**dict.fromkeys(ODI_ITEMS, 1), "odi_11": 1})
    with pytest.raises(KeyError, match="Unknown instrument"):
        score("oswestry", {})


@pytest.mark.parametrize(("yes", "total", "high"), [(8, 8.0, 0.0), (9, 9.0, 1.0), (10, 10.0, 1.0)])
def test_lsiq_total_and_stratum_at_the_cut_off(yes: int, total: float, high: float) -> None:
    responses = {f"lsiq_{i:02d}": int(i <= yes) for i in range(1, 16)}
    result = score("lsiq", responses)
    assert (result.total, result.subscores["stratum_high"]) == (total, high)


def test_lsiq_missing_item_gives_no_total() -> None:
    responses = {f"lsiq_{i:02d}": 1 for i in range(1, 15)}
    result = score("lsiq", responses)
    assert result.total is None and result.missing == ["lsiq_15"]


def test_nprs() -> None:
    assert score("nprs", {"nprs": 7}).total == 7.0
    assert score("nprs", {"nprs": None}).total is None
    with pytest.raises(InvalidResponse, match="nprs"):
        score("nprs", {"nprs": 11})


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_odi_any_valid_response_scores_within_range(values: list[int | None]) -> None:
    result = score("odi", dict(zip(ODI_ITEMS, values, strict=True)))
    assert result.total is None or 0.0 <= result.total <= 100.0
    assert (result.total is None) == (values.count(None) > 1)


@given(st.integers().filter(lambda v: not 0 <= v <= 5))
def test_odi_any_out_of_range_value_raises(value: int) -> None:
    with pytest.raises(InvalidResponse):
        score("odi", {**dict.fromkeys(ODI_ITEMS, 0), "odi_01": value})
