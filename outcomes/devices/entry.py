"""Saving device data entered by hand: the MedX printout and the sleep diary week."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction

from outcomes.devices.actigraphy import ACTIGRAPHY_VISITS, rescore_after_diary_change
from outcomes.devices.models.strength import MEDX_ANGLES
from outcomes.devices.strength import peak_torque, strength_index, to_newton_metres
from outcomes.instruments.double_entry import refuse_if_locked
from outcomes.models import AppEnrolment, MedxTest, SleepDiaryNight
from trial.models import Participant
from trial.protocol import PROTOCOL

MEDX_VISITS = PROTOCOL.visits_with("medx")


@transaction.atomic
def save_medx(
    test: MedxTest, printed: dict[int, float | None], user: object, reason: str = ""
) -> MedxTest:
    """Store the printout's values and unit, their N·m equivalents, peak and strength index."""
    refuse_if_locked()
    if test.visit_code not in MEDX_VISITS:
        raise ValueError(f"The {test.visit_code} visit has no MedX test.")
    unit = test.unit_entered
    # The form's gravity torque is in the printout's unit, like the angles.
    test.as_printed = {str(a): printed.get(a) for a in MEDX_ANGLES}
    test.as_printed["gravity_torque"] = test.gravity_torque_nm
    for angle in MEDX_ANGLES:
        setattr(test, f"torque_{angle}", to_newton_metres(printed.get(angle), unit))
    test.gravity_torque_nm = to_newton_metres(test.as_printed["gravity_torque"], unit)
    curve = test.curve()
    test.peak_torque_nm = peak_torque(curve)
    test.strength_index = strength_index(curve)
    if not test.pk:
        test.entered_by = user
    test.save(reason=reason)
    return test


@transaction.atomic
def save_diary_week(
    forms: list, participant: Participant, visit_code: str, user: object, reason: str
) -> int:
    """Save the changed diary nights; re-score the visit's actigraphy if it was scored."""
    refuse_if_locked()
    if visit_code not in ACTIGRAPHY_VISITS:
        raise ValueError(f"The {visit_code} visit has no sleep diary.")
    saved = 0
    for form in forms:
        if not form.has_changed():
            continue
        night: SleepDiaryNight = form.save(commit=False)
        night.participant, night.visit_code = participant, visit_code
        if not night.pk:
            night.entered_by = user
        night.save(reason=reason)
        saved += 1
    if saved:
        rescore_after_diary_change(participant, visit_code)
    return saved


def issue_app_code(participant: Participant) -> AppEnrolment:
    """A random code for the participant's Manage My Pain account (no name travels)."""
    existing = AppEnrolment.objects.filter(participant=participant).first()
    if existing is not None:
        return existing
    code = f"SB-{secrets.token_hex(3).upper()}-{dt.date.today():%y}"
    return AppEnrolment.objects.create(participant=participant, code=code)
