"""The start-up checks on declared handlers can fail: a protocol form nobody handles is named,
and exactly one app answers for arms."""

from __future__ import annotations

from trial.arms import arm_sources
from trial.checks import check_every_form_has_a_handler, check_one_arm_source
from trial.handlers import handler_problems


def test_an_unhandled_form_is_named_and_the_real_protocol_is_covered() -> None:
    assert handler_problems(["odi", "a_form_nobody_owns"]) == [
        "no app declares a handler for the protocol form 'a_form_nobody_owns'"
    ]
    assert check_every_form_has_a_handler(None) == []


def test_a_precondition_or_stratifier_whose_handler_has_no_sql_form_is_named() -> None:
    """Randomisation reads its preconditions and the stratum in one statement: their handlers
    must give them as expressions. Actigraphy's handler gives neither."""
    assert handler_problems(["odi"], entered=["odi", "medx"], totalled=["lsiq"]) == []
    assert handler_problems(["actigraphy"], entered=["actigraphy"], totalled=["actigraphy"]) == [
        "the handler of 'actigraphy' cannot say in SQL whether it is entered",
        "the handler of 'actigraphy' cannot give its total in SQL",
    ]


def test_exactly_one_app_answers_for_arms() -> None:
    assert len(arm_sources()) == 1
    assert check_one_arm_source(None) == []
