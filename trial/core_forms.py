"""The core's own case-report forms on the participant timeline (sociodemographics, medical
history, the MRI-safety confirmation): when each is done and where it is entered."""

from __future__ import annotations

from collections.abc import Iterator

from trial.handlers import FormHandler, permitted_url
from trial.protocol import PROTOCOL

ENTRY_PAGES = {
    "sociodemographics": "sociodemographics_edit",
    "medical_history": "medical_history_edit",
    "mri_safety": "baseline_mri_safety",
}


def _done(participant_ids: list[int]) -> Iterator[tuple[int, str, str]]:
    from trial.models import MedicalHistory, MriSafety, Sociodemographics

    baseline = PROTOCOL.baseline_visit
    for model, form in (
        (Sociodemographics, "sociodemographics"),
        (MedicalHistory, "medical_history"),
    ):
        for pid in model.objects.filter(participant_id__in=participant_ids).values_list(
            "participant_id", flat=True
        ):
            yield pid, baseline, form
    for pid in MriSafety.objects.filter(
        screening__participant__in=participant_ids, confirmed_at_baseline_on__isnull=False
    ).values_list("screening__participant", flat=True):
        yield pid, baseline, "mri_safety"


def _link(user: object, study_id: str, visit: str, form: str) -> str:
    if visit != PROTOCOL.baseline_visit:
        return ""
    return permitted_url(user, ENTRY_PAGES[form], study_id)


def _contents(participant_ids: list[int]) -> dict[tuple[int, str, str], object]:
    """The stored values of each baseline form, as the SDV mark and the sign-off hash them."""
    from django.forms.models import model_to_dict

    from trial.models import MedicalHistory, MriSafety, Sociodemographics

    def values(row: object) -> dict:
        return {k: v for k, v in model_to_dict(row).items() if k not in ("id", "updated_at")}

    baseline = PROTOCOL.baseline_visit
    contents: dict[tuple[int, str, str], object] = {}
    for model, form in (
        (Sociodemographics, "sociodemographics"),
        (MedicalHistory, "medical_history"),
    ):
        for row in model.objects.filter(participant_id__in=participant_ids):
            contents[(row.participant_id, baseline, form)] = values(row)
    for row in MriSafety.objects.filter(screening__participant__in=participant_ids).select_related(
        "screening__participant"
    ):
        contents[(row.screening.participant.pk, baseline, "mri_safety")] = values(row)
    return contents


def form_handlers() -> tuple[FormHandler, ...]:
    return (FormHandler(tuple(ENTRY_PAGES), _done, _link, contents=_contents),)
