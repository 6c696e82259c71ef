"""The MRI form on the core's participant timeline: done once a run is approved."""

from __future__ import annotations

from collections.abc import Iterator

from trial.handlers import FormHandler, permitted_url
from trial.protocol import PROTOCOL


def _done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    from imaging.selectors import approved_visits

    for pid, visit in approved_visits(participant_ids):
        yield pid, visit, "mri"


def _link(user: object, study_id: str, visit: str, form: str) -> str:
    if visit not in PROTOCOL.visits_with(form):
        return ""
    return permitted_url(user, "imaging:imaging_visit", study_id, visit)


def form_handlers() -> tuple[FormHandler, ...]:
    return (FormHandler(("mri",), _done, _link),)
