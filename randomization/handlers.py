"""The assessor's guess of the arm on the core's participant timeline."""

from __future__ import annotations

from collections.abc import Iterator

from trial.handlers import FormHandler, permitted_url
from trial.protocol import PROTOCOL

FORM = "blinding_guess"


def _done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    from randomization.models import BlindingGuess

    visits = PROTOCOL.visits_with(FORM)
    for pid in BlindingGuess.objects.filter(participant_id__in=participant_ids).values_list(
        "participant_id", flat=True
    ):
        for visit in visits:
            yield pid, visit, FORM


def _link(user: object, study_id: str, visit: str, form: str) -> str:
    return permitted_url(user, "randomization:blinding_guess", study_id)


def form_handlers() -> tuple[FormHandler, ...]:
    return (FormHandler((FORM,), _done, _link),)
