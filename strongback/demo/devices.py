"""Demo device and app data: MedX at baseline, a DynaMo export, Manage My Pain codes and entries
(one week left empty so the worklist shows it), and optionally a synthetic actigraphy week."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from django.core.files.base import File
from django.utils import timezone

from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa
from outcomes.devices.actigraphy import commit_cwa, preview_cwa
from outcomes.devices.entry import issue_app_code, save_medx
from outcomes.devices.models.strength import MEDX_ANGLES
from outcomes.imports.service import commit_import, preview_import
from outcomes.models import ImportKind, MedxTest, SleepDiaryNight
from trial.models import Participant
from trial.protocol import PROTOCOL

BASELINE = PROTOCOL.baseline_visit


def seed_devices(
    rng: random.Random, coordinator: object, assessor: object, actigraphy: bool
) -> None:
    """App codes and weekly pain for the randomised, and optionally an actigraphy week (the
    baseline strength tests come with the baseline: ``baseline_medx``, ``dynamo_export``)."""
    randomised = list(Participant.objects.filter(randomized_on__isnull=False).order_by("pk"))
    if not randomised:
        return
    _pain(rng, randomised, coordinator)
    if actigraphy:
        _actigraphy(randomised[0], coordinator)


def baseline_medx(
    rng: random.Random,
    participant: Participant,
    on: dt.date,
    assessor: object,
    visit: str = BASELINE,
    gain: float = 1.0,
) -> None:
    """MedX at a visit (the baseline by default: randomisation requires it), entered by the
    assessor from the printout; ``gain`` scales the torque (training effect at week 16)."""
    if MedxTest.objects.filter(participant=participant, visit_code=visit).exists():
        return
    base = rng.uniform(150, 260) * gain
    printed = {a: round(base * (0.55 + 0.45 * a / 72), 1) for a in MEDX_ANGLES}
    test = MedxTest(
        participant=participant,
        visit_code=visit,
        tested_on=on,
        unit_entered="ft·lb",
        counterweight=rng.randint(20, 60),
        gravity_torque_nm=round(rng.uniform(30, 60), 1),
        rom_flexion_deg=72,
        rom_extension_deg=0,
    )
    save_medx(test, printed, assessor)


def dynamo_export(
    rng: random.Random, tested: list[tuple[Participant, dt.date, str]], user: object
) -> None:
    """One DynaMo export holding the baseline tests of everyone in ``tested``, imported as a site
    imports its weekly export (randomisation requires these tests too)."""
    if not tested:
        return
    lines = [
        "Study ID,Visit,Date,Test Type,Movement,Side,Peak Force (N),Lever Arm (m),"
        "Body Mass (kg),ROM (deg)"
    ]
    for p, day, visit in tested:
        mass = rng.randint(55, 95)
        for movement in ("Hip Extension", "Hip Abduction"):
            for side in ("Left", "Right"):
                force = rng.randint(120, 320)
                row = f"{p.study_id},{visit},{day} 10:30,Strength,{movement},{side}"
                lines.append(f"{row},{force},0.42,{mass},")
        for side in ("Left", "Right"):
            row = f"{p.study_id},{visit},{day} 10:45,Range of Motion,Hip Flexion,{side}"
            lines.append(f"{row},,,,{rng.randint(95, 125)}")
    name = f"dynamo-export-{len(tested)}.csv"
    upload = preview_import(ImportKind.DYNAMO, name, "\n".join(lines).encode(), user)
    if upload.status == "previewed":
        commit_import(upload, user)


def _pain(rng: random.Random, people: list[Participant], user: object) -> None:
    lines = ["Enrolment Code,Date,Pain Severity,Locations,Notes"]
    today = timezone.localdate()
    for p in people:
        code = issue_app_code(p).code
        day = p.randomized_on
        while day < min(today, p.randomized_on + dt.timedelta(weeks=16)):
            week = (day - p.randomized_on).days // 7 + 1
            if week != 3 and rng.random() < 0.5:  # week 3 left empty on purpose
                level = max(0, min(10, round(6 - week * 0.2 + rng.gauss(0, 1.2))))
                lines.append(f"{code},{day} 20:{rng.randint(0, 59):02d},{level},Lower back,")
            day += dt.timedelta(days=1)
    upload = preview_import(ImportKind.MMP, "mmp-demo.csv", "\n".join(lines).encode(), user)
    if upload.status == "previewed":
        commit_import(upload, user)


def _actigraphy(participant: Participant, user: object) -> None:
    # The week after the baseline assessment, inside the baseline window (the protocol's wear
    # rule refuses a file that starts elsewhere).
    earliest, latest = PROTOCOL.visit(BASELINE).window_dates(participant.consent_date)
    first_evening = min(max(earliest, participant.randomized_on - dt.timedelta(days=10)), latest)
    plan = planned_week(first_evening, nights=7)
    start = dt.datetime.combine(first_evening, dt.time(10))
    for night in plan[:6]:
        SleepDiaryNight.objects.get_or_create(
            participant=participant,
            visit_code=BASELINE,
            night=night.into_bed.date(),
            defaults={
                "into_bed": night.into_bed.time(),
                "lights_out": (night.into_bed + dt.timedelta(minutes=15)).time(),
                "final_wake": night.final_wake.time(),
                "out_of_bed": night.out_of_bed.time(),
                "quality": 4,
                "entered_by": user,
            },
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{participant.study_id}-baseline.cwa"
        write_cwa(path, week_accel(start, 7.1, 12.5, plan), start, fs=12.5)
        with path.open("rb") as handle:
            upload = preview_cwa(participant, BASELINE, File(handle, name=path.name), user)
    commit_cwa(upload, user)
