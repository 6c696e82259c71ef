"""The audit context nests, and one left open (a view that raised before closing it) never puts
an old context back in the middle of another block when it is garbage-collected."""

from __future__ import annotations

import gc

from trial.audit.context import audit_context, current_context


def test_contexts_nest_and_restore() -> None:
    assert current_context().reason == ""
    with audit_context(reason="outer") as outer:
        assert outer.reason == "outer"
        with audit_context(channel="task"):
            assert current_context().reason == "outer"
            assert current_context().channel == "task"
        assert current_context().channel == "system"
    assert current_context().reason == ""


def test_an_abandoned_context_does_not_clobber_a_later_block() -> None:
    leaked = audit_context(reason="")
    leaked.__enter__()  # as a view that raised between opening and closing it
    with audit_context(reason="randomised at session 1"):
        del leaked
        gc.collect()  # the abandoned context is collected inside this block
        assert current_context().reason == "randomised at session 1"
