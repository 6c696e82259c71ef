"""Words for the states a page shows (visit, stage and form states), in the reader's language:
a template never prints a state's code."""

from __future__ import annotations

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

STATE_LABELS = {
    # visit states
    "not_scheduled": _("not scheduled"),
    "upcoming": _("upcoming"),
    "open": _("open"),
    "closing": _("window closing"),
    "overdue": _("overdue"),
    "done": _("done"),
    "done_out_of_window": _("done out of window"),
    "missed": _("missed"),
    "not_invited": _("not invited"),
    "ended": _("follow-up ended"),
    # participant stages
    "consented": _("consented"),
    "baseline_done": _("baseline done"),
    "randomised": _("randomised"),
    "completed": _("completed"),
    "discontinued": _("discontinued"),
    "withdrawn": _("withdrawn"),
    "lost": _("lost to follow-up"),
    # form states (record status page)
    "not_started": _("not started"),
    "not_done": _("not done (reason given)"),
    "incomplete": _("incomplete"),
    "complete": _("complete"),
    "awaiting_second_entry": _("awaiting second entry"),
    "queried": _("queried"),
    "verified": _("verified (SDV)"),
    "locked": pgettext_lazy("a form", "locked"),
    "signed": pgettext_lazy("a form", "signed"),
    # data queries
    "answered": _("answered"),
    "closed": _("closed"),
    # worklist items
    "visit_due": _("visit due"),
    "window_closing": _("window closing"),
    "visit_overdue": _("visit overdue"),
    "missing_form": _("form missing"),
    "device_awaited": _("device file awaited"),
    "app_awaited": _("app data awaited"),
    "open_query": _("open query"),
    "session_due": _("session due"),
    "randomise": _("to randomise"),
    "second_entry": _("second entry"),
    "sign_off": _("to sign off"),
}


_TRANSLATED: dict[tuple[str | None, str], str] = {}


def state_label(state: object) -> str:
    """The state in words; an unknown code is shown with spaces (never silently dropped).
    Kept per language: a grid asks for a few labels thousands of times."""
    code = str(state)
    key = (get_language(), code)
    if key not in _TRANSLATED:
        _TRANSLATED[key] = str(STATE_LABELS.get(code, code.replace("_", " ")))
    return _TRANSLATED[key]
