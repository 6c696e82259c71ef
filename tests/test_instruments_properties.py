"""Property tests over every instrument, drawn from its own definition: any valid answers score
without error and within range; any value outside an item's allowed values raises
``InvalidResponse`` naming that item."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.instruments import DEFINITIONS, InvalidResponse, score
from outcomes.instruments.base import Instrument, Item

RANGES = {  # the bounds each score must stay within
    "odi": (0.0, 100.0),
    "lsiq": (0.0, 15.0),
    "nprs": (0.0, 10.0),
    "sri": (0.0, 100.0),
    "ipaq_short": (0.0, 3 * 7 * 180 * 8.0),
}


def values_for(item: Item) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.sampled_from(sorted(item.allowed)))


def answers_for(definition: Instrument) -> st.SearchStrategy[dict[str, int | None]]:
    return st.fixed_dictionaries({item.key: values_for(item) for item in definition.items})


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_valid_answers_score_within_range(name: str, data: st.DataObject) -> None:
    definition = DEFINITIONS[name]
    answers = data.draw(answers_for(definition))
    result = score(name, answers)
    assert result.version == definition.version
    assert set(result.missing) == {key for key, value in answers.items() if value is None}
    if result.total is not None:
        low, high = RANGES[name]
        assert low <= result.total <= high + 1e-9
    for key, value in result.subscores.items():
        assert value is None or math.isfinite(value), key
    if name == "promis29":
        for key, value in result.subscores.items():
            if value is not None and key != "pain_intensity":
                assert 10.0 <= value <= 90.0, key
    if name == "sf12" and result.subscores["pcs"] is not None:
        assert 0 < result.subscores["pcs"] < 100 and 0 < result.subscores["mcs"] < 100
    if name == "ipaq_short" and result.total is not None:
        assert result.subscores["category"] in (1.0, 2.0, 3.0)
    # soft checks never raise, whatever the answers
    assert isinstance(definition.soft_checks(definition.validate(answers)), list)


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_invalid_value_raises_naming_the_item(name: str, data: st.DataObject) -> None:
    definition = DEFINITIONS[name]
    answers = data.draw(answers_for(definition))
    item = data.draw(st.sampled_from(definition.items))
    bad = data.draw(
        st.one_of(
            st.integers(-10_000, 10_000).filter(lambda v: v not in item.allowed),
            st.floats(allow_nan=False),
            st.text(max_size=3),
            st.booleans(),
        )
    )
    with pytest.raises(InvalidResponse, match=item.key):
        score(name, {**answers, item.key: bad})


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_unknown_item_is_refused(name: str) -> None:
    with pytest.raises(InvalidResponse, match="not_an_item"):
        score(name, {"not_an_item": 1})


def test_every_definition_cites_a_source_and_a_licence() -> None:
    for definition in DEFINITIONS.values():
        assert definition.source and definition.licence and definition.version
        assert len({item.key for item in definition.items}) == len(definition.items)
