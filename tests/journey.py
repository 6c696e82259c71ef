"""Helpers that walk a person through the real services (screen, assess, enrol, baseline)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outcomes.instruments import lsiq, odi
from outcomes.instruments.services import save_instrument_response
from trial.audit.context import audit_context
from trial.models import EligibilityAssessment, MriSafety, Participant, ScreeningEntry
from trial.protocol import PROTOCOL
from trial.protocol.strongback import MRI_SAFETY_ITEMS
from trial.services.eligibility import store_evaluation
from trial.services.enrolment import Consent, Identity, enrol
from trial.services.visits import record_visit

TODAY = dt.date(2026, 11, 2)
DOB = dt.date(1980, 5, 17)


def screen(on: dt.date = TODAY, age: int = 45, language: str = "en") -> ScreeningEntry:
    return ScreeningEntry.objects.create(
        screened_on=on, source="clinic", age=age, language=language
    )


def assess(screening: ScreeningEntry, **overrides: object) -> ScreeningEntry:
    facts = {
        "date_of_birth": DOB,
        "lbp_onset": screening.screened_on - dt.timedelta(days=400),
        "lbp_half_days_last_6_months": True,
        "pddm_nociceptive": "A",
        "pddm_nervous_system": "0",
        "pddm_comorbidity": "0",
        "pddm_cognitive_emotional": "0",
        "pddm_contextual": "A",
        "previous_spinal_surgery": False,
        "vertebral_fracture": False,
        "radiculopathy": False,
        "spondylolysis": False,
        "spondylolisthesis": False,
        "scoliosis_degrees": Decimal("0"),
        "exercise_limiting_condition": False,
    }
    mri = {item: False for item in MRI_SAFETY_ITEMS}
    for key, value in overrides.items():
        (mri if key in mri else facts)[key] = value
    EligibilityAssessment.objects.create(screening=screening, **facts)
    MriSafety.objects.create(screening=screening, **mri)
    store_evaluation(screening)
    screening.refresh_from_db()
    return screening


def enrolled(user: object, consent_on: dt.date = TODAY, **overrides: object) -> Participant:
    screening = assess(screen(on=consent_on - dt.timedelta(days=3)), **overrides)
    return enrol(
        screening,
        Consent("2.0", "en", consent_on),
        Identity("Marie", "Lavoie", DOB, email="marie@example.org"),
        user,
    )


def wear_start(participant: Participant, visit_code: str) -> dt.datetime:
    """10:00 on the first day of the visit's window: when an actigraph week may begin."""
    from trial.selectors.anchors import anchors_for

    visit = PROTOCOL.visit(visit_code)
    first_day = visit.window_dates(anchors_for(participant)[visit.anchor])[0]
    return dt.datetime.combine(first_day, dt.time(10))


def not_entered(visit_code: str) -> dict[str, str]:
    """A reason for each form of the visit, for tests that mark a visit done without them."""
    forms = PROTOCOL.forms_due_at_visit(visit_code)
    return dict.fromkeys((form.code for form in forms), "not entered in this test")


def baseline_done_without_forms(participant: Participant, user: object) -> Participant:
    """Baseline recorded as done today with every form marked not entered (randomisation is
    then refused: nothing it needs is there)."""
    with audit_context(reason=""):
        record_visit(
            participant, "baseline", user, done_on=TODAY, forms_not_done=not_entered("baseline")
        )
    return participant


def with_baseline(
    participant: Participant, user: object, lsiq_yes: int, on: dt.date
) -> Participant:
    """Baseline visit done with an LSIQ of ``lsiq_yes`` "yes" answers, and the randomisation
    preconditions in place (ODI, MedX, DynaMo), entered through the real services."""
    answers = {item: int(i < lsiq_yes) for i, item in enumerate(lsiq.ITEMS)}
    with audit_context(reason=""):
        save_instrument_response(participant, "baseline", "lsiq", answers, on, user)
        save_instrument_response(
            participant, "baseline", "odi", {item: 1 for item in odi.ITEMS}, on, user
        )
        baseline_strength(participant, on, user)
        record_visit(
            participant, "baseline", user, done_on=on, forms_not_done=not_entered("baseline")
        )
    return participant


def baseline_strength(participant: Participant, on: dt.date, user: object) -> None:
    """A MedX test (through its entry service) and a DynaMo result at baseline. The DynaMo row
    belongs to one shared test import record: the import itself is tested in
    ``tests/test_device_imports.py``; here only its presence matters, for many participants."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from outcomes.devices.entry import save_medx
    from outcomes.devices.models.strength import MEDX_ANGLES
    from outcomes.models import DeviceImport, DynamoTest, ImportKind, MedxTest

    test = MedxTest(participant=participant, visit_code="baseline", tested_on=on,
                    unit_entered="N·m", counterweight=40, gravity_torque_nm=45.0,
                    rom_flexion_deg=72, rom_extension_deg=0)  # fmt: skip
    save_medx(test, {a: 150.0 + a for a in MEDX_ANGLES}, user)
    source = DeviceImport.objects.filter(kind=ImportKind.DYNAMO, sha256="0" * 64).first()
    if source is None:
        source = DeviceImport(kind=ImportKind.DYNAMO, sha256="0" * 64, filename="journeys.csv",
                              size=0, status="imported", uploaded_by=user,
                              imported_at=timezone.now())  # fmt: skip
        source.file.save("journeys.csv", ContentFile(b""), save=False)
        source.save()
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 30)))
    DynamoTest(source=source, participant=participant, visit_code="baseline", tested_at=moment,
               category="strength", movement="hip_extension", side="left", peak_force_n=200.0,
               lever_arm_m=0.42, torque_nm=84.0, body_mass_kg=70.0, torque_per_kg=1.2,
               entry_key=f"journeys:{participant.pk}").save()  # fmt: skip


def ensure_list(user: object, per_stratum: int = 12) -> None:
    from randomization.importing import import_list
    from randomization.listfile import to_csv
    from randomization.models import AllocationList, Environment
    from randomization.sequence import generate
    from trial.protocol import PROTOCOL

    if AllocationList.objects.filter(environment=Environment.PRODUCTION).exists():
        return
    rows = generate(
        [s.code for s in PROTOCOL.strata], [a.code for a in PROTOCOL.arms], [2, 4], per_stratum, 7
    )
    import_list(to_csv(rows), "test list", Environment.PRODUCTION, user)


def signed(user: object) -> object:
    """The signing proof a page gets after the user re-enters their (demo) password."""
    from django.test import RequestFactory

    from tests.conftest import DEMO_PASSWORD
    from trial.services.signatures import check_credentials

    request = RequestFactory().post("/")
    request.user = user
    return check_credentials(request, DEMO_PASSWORD)


def lock_waiving_everything(user: object, why: str = "test: open items waived") -> object:
    """Lock the database as a signed procedure, waiving whatever the checklist has open."""
    from randomization.unblinding import lock_database
    from trial.lock_checklist import lock_checklist

    return lock_database(signed(user), {item.code: why for item in lock_checklist()})
