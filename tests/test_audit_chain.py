"""The hash chain in pure Python: a tail advanced row by row gives the chain ``verify_chain``
accepts, and any change to a row's content breaks it at that row."""

from __future__ import annotations

import pytest

from trial.audit.chain import GENESIS, HASHED_FIELDS, ChainTail, verify_chain


def _content(index: int) -> list[object]:
    return [f"{name}-{index}" if name != "user_id" else index for name in HASHED_FIELDS]


def _sealed(count: int) -> list[dict[str, object]]:
    tail = ChainTail(0, GENESIS)
    rows = []
    for index in range(count):
        content = _content(index)
        seq, prev, digest = tail.seal(content)
        rows.append(
            {"id": index + 1, "seq": seq, "prev_hash": prev, "hash": digest}
            | dict(zip(HASHED_FIELDS, content, strict=True))
        )
    return rows


def test_a_tail_advanced_row_by_row_gives_a_chain_that_verifies() -> None:
    rows = _sealed(5)
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS
    assert verify_chain(rows).broken is None


def test_a_changed_value_breaks_the_chain_at_its_row() -> None:
    rows = _sealed(5)
    rows[2]["new_value"] = "tampered"
    broken = verify_chain(rows).broken
    assert broken is not None and broken.seq == 3


def test_a_row_with_the_wrong_number_of_values_is_refused_and_the_tail_does_not_move() -> None:
    tail = ChainTail(7, "a" * 64)
    with pytest.raises(ValueError, match="hashed fields"):
        tail.seal(_content(0)[:-1])
    assert (tail.seq, tail.hash) == (7, "a" * 64)
