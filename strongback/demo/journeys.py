"""Demo participants at every stage of the journey, made through the real services.

Each person follows a scenario; dates are relative to today so the worklists always have work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from outcomes.instruments import definition, lsiq, odi
from outcomes.instruments.services import save_instrument_response
from outcomes.queries.services import raise_query
from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import DONT_KNOW, AllocationList, BlindingGuess, Environment
from randomization.selectors import arm_for_service
from randomization.sequence import generate
from randomization.services import randomise
from strongback.demo.devices import baseline_medx, dynamo_export
from trial.models import (
    AdverseEvent,
    EligibilityAssessment,
    MedicalHistory,
    MriSafety,
    Participant,
    ScreeningEntry,
    Sociodemographics,
)
from trial.models.screening import ReferralSource, ScreeningLanguage, ScreeningOutcome
from trial.protocol import PROTOCOL
from trial.protocol.strongback import MRI_SAFETY_ITEMS
from trial.services.baseline import save_medical_history, save_sociodemographics
from trial.services.eligibility import store_evaluation
from trial.services.enrolment import Consent, Identity, enrol
from trial.services.safety import record_exit
from trial.services.sessions import ExerciseDone, log_session
from trial.services.visits import record_visit

BASELINE = PROTOCOL.baseline_visit
WEEK16 = PROTOCOL.primary_endpoint_visit

# The order matters: the first few cover the stages tests and a short demo rely on.
SCENARIOS = (
    "in_intervention",
    "baseline_done",
    "consented",
    "not_eligible",
    "week16_done",
    "withdrawn",
    "eligible",
    "declined",
    "lost",
    "not_reached",
    "pending",
    "in_intervention",
)
FIRST_NAMES = ("Alex", "Sam", "Camille", "Jordan", "Maxime", "Robin", "Dominique", "Noa")
LAST_NAMES = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie")


def _later(visit_code: str) -> dict[str, str]:
    """The demo records a visit before some of its forms (devices come in batches later)."""
    forms = PROTOCOL.forms_due_at_visit(visit_code)
    return dict.fromkeys((form.code for form in forms), "demo data: entered after the visit")


def ensure_demo_allocation_list(user: object) -> AllocationList:
    """A demo production list (demo data only; a real trial imports the statistician's file)."""
    existing = AllocationList.objects.filter(environment=Environment.PRODUCTION).first()
    if existing:
        return existing
    rows = generate(
        [s.code for s in PROTOCOL.strata], [a.code for a in PROTOCOL.arms], [2, 4, 6], 60, "demo"
    )
    return import_list(to_csv(rows), "demo list", Environment.PRODUCTION, user)


class JourneyBuilder:
    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        coordinator: object,
        therapist: object,
        assessor: object,
        pi: object,
    ) -> None:
        self.rng, self.today = rng, today
        self.coordinator, self.therapist, self.assessor, self.pi = (
            coordinator,
            therapist,
            assessor,
            pi,
        )
        self.dynamo_due: list[tuple[Participant, dt.date, str]] = []
        self.pending: list[Callable[[], None]] = []
        self.dynamo_week16: list[tuple[Participant, dt.date, str]] = []

    def build(self, scenario: str) -> ScreeningEntry:
        days_ago = {"in_intervention": 60, "week16_done": 200, "withdrawn": 150, "lost": 190}
        screened_on = self.today - dt.timedelta(
            days=days_ago.get(scenario, 20) + self.rng.randint(0, 10)
        )
        screening = ScreeningEntry.objects.create(
            screened_on=screened_on,
            source=self.rng.choice(ReferralSource.values),
            age=self.rng.randint(22, 58),
            language=self.rng.choice([ScreeningLanguage.ENGLISH, ScreeningLanguage.FRENCH]),
        )
        if scenario in ("declined", "not_reached"):
            screening.outcome = ScreeningOutcome(scenario)
            screening.save(reason="screening call")
            return screening
        if scenario == "pending":
            return screening
        self._assess(screening, eligible=scenario != "not_eligible")
        if scenario in ("not_eligible", "eligible"):
            return screening
        consent_on = screened_on + dt.timedelta(days=self.rng.randint(3, 8))
        participant = enrol(
            screening,
            Consent(
                "2.0", screening.language if screening.language != "other" else "en", consent_on
            ),
            Identity(
                self.rng.choice(FIRST_NAMES),
                self.rng.choice(LAST_NAMES),
                self._dob(screening),
                email="demo.participant@example.org",
                phone="514-555-0100",
            ),
            self.coordinator,
        )
        if scenario == "consented":
            return screening
        baseline_on = consent_on + dt.timedelta(days=self.rng.randint(2, 10))
        self._baseline(participant, baseline_on)
        # The strength tests complete the baseline (randomisation requires them): MedX now,
        # DynaMo in the one export ``finish`` imports for everyone.
        strength_on = baseline_on + dt.timedelta(days=1)
        baseline_medx(self.rng, participant, strength_on, self.assessor)
        self.dynamo_due.append((participant, strength_on, BASELINE))
        if scenario == "baseline_done":
            participant.session_1_planned_on = self.today
            participant.save(reason="session 1 booked")
            return screening
        self.pending.append(lambda: self._after_baseline(participant, scenario, baseline_on))
        return screening

    def finish(self) -> None:
        """Import the DynaMo export of every baseline, then take each journey on from session 1."""
        dynamo_export(self.rng, self.dynamo_due, self.coordinator)
        self.dynamo_due = []
        pending, self.pending = self.pending, []
        for step in pending:
            step()
        dynamo_export(self.rng, self.dynamo_week16, self.coordinator)
        self.dynamo_week16 = []

    def _after_baseline(
        self, participant: Participant, scenario: str, baseline_on: dt.date
    ) -> None:
        session_1 = baseline_on + dt.timedelta(days=self.rng.randint(3, 6))
        randomise(participant, self.therapist, on=session_1)
        participant.refresh_from_db()
        last = min(PROTOCOL.sessions.total, self._sessions_due(session_1))
        if scenario == "withdrawn":
            last = min(last, 10)
        elif scenario == "lost":
            last = min(last, 20)
        self._sessions(participant, last)
        if scenario == "week16_done":
            self._week16(participant, session_1)
        if scenario in ("withdrawn", "lost"):
            exit_on = session_1 + dt.timedelta(days=PROTOCOL.sessions.planned_day(last) + 10)
            record_exit(
                participant.pk,
                self.coordinator,
                kind="withdrawn" if scenario == "withdrawn" else "lost",
                exit_on=exit_on,
                reason="time_constraints" if scenario == "withdrawn" else "no_contact",
                data_use="collected" if scenario == "withdrawn" else "all",
            )
        if scenario == "in_intervention" and not AdverseEvent.objects.exists():
            self._adverse_events(participant, session_1)

    def _week16(self, participant: Participant, session_1: dt.date) -> None:
        """The endpoint visit: disability a little lower than at baseline (each ODI section
        down by 0-2 points), the other questionnaires, MedX, DynaMo (in the shared export) and
        the assessor's guess of the arm."""
        week16 = session_1 + dt.timedelta(days=PROTOCOL.visit(WEEK16).offset + 2)
        record_visit(
            participant, WEEK16, self.assessor, done_on=week16, forms_not_done=_later(WEEK16)
        )
        baseline = participant.instrument_responses.get(visit_code=BASELINE, instrument="odi")
        answers = {
            item: max(0, int(baseline.responses.get(item, 1)) - self.rng.randint(0, 2))
            for item in odi.ITEMS
        }
        save_instrument_response(participant, WEEK16, "odi", answers, week16, self.assessor)
        for name in ("promis29", "sf12", "ipaq_short", "nprs", "sri"):
            self._questionnaire(participant, WEEK16, name, week16)
        gain = self.rng.uniform(1.0, 1.3)
        baseline_medx(self.rng, participant, week16, self.assessor, WEEK16, gain)
        self.dynamo_week16.append((participant, week16, WEEK16))
        guess = self.rng.choice([*(arm.code for arm in PROTOCOL.arms), DONT_KNOW])
        BlindingGuess(
            participant=participant,
            guess=guess,
            confidence=self.rng.randint(1, 4),
            guessed_on=week16,
            assessor=self.assessor,
        ).save()

    def _dob(self, screening: ScreeningEntry) -> dt.date:
        return screening.screened_on - dt.timedelta(days=365 * screening.age + 100)

    def _assess(self, screening: ScreeningEntry, eligible: bool) -> None:
        EligibilityAssessment.objects.create(
            screening=screening,
            date_of_birth=self._dob(screening),
            lbp_onset=screening.screened_on - dt.timedelta(days=self.rng.randint(120, 2000)),
            lbp_half_days_last_6_months=True,
            pddm_nociceptive="A",
            pddm_nervous_system="0" if eligible else "B",
            pddm_comorbidity="0",
            pddm_cognitive_emotional="0",
            pddm_contextual=self.rng.choice(["0", "A"]),
            previous_spinal_surgery=False,
            vertebral_fracture=False,
            radiculopathy=not eligible and self.rng.random() < 0.5,
            spondylolysis=False,
            spondylolisthesis=False,
            scoliosis_degrees=Decimal(self.rng.choice(["0", "4.5", "8"])),
            exercise_limiting_condition=False,
        )
        MriSafety.objects.create(
            screening=screening,
            **dict.fromkeys(MRI_SAFETY_ITEMS, False),
        )
        store_evaluation(screening, reason="screening assessment")

    def _baseline(self, participant: Participant, on: dt.date) -> None:
        save_sociodemographics(
            Sociodemographics(
                completed_on=on,
                sex=self.rng.choice(["female", "male"]),
                gender="undisclosed",
                education="bachelor",
                employment="full_time",
                work_status="full_duties",
                lbp_duration_months=self.rng.randint(4, 120),
                lbp_history="recurrent",
                height_cm=Decimal(self.rng.randint(155, 190)),
                weight_kg=Decimal(self.rng.randint(55, 100)),
            ),
            participant,
            self.coordinator,
        )
        save_medical_history(
            MedicalHistory(completed_on=on, smoking="never"), participant, self.coordinator
        )
        safety = participant.screening.mri_safety
        safety.confirmed_at_baseline_on = on
        safety.save(reason="re-confirmed at baseline")
        answers = {item: int(self.rng.random() < 0.55) for item in lsiq.ITEMS}
        save_instrument_response(participant, BASELINE, "lsiq", answers, on, self.coordinator)
        odi_answers = {item: self.rng.randint(0, 3) for item in odi.ITEMS}
        save_instrument_response(participant, BASELINE, "odi", odi_answers, on, self.assessor)
        pain = {"nprs": self.rng.randint(3, 8)}
        save_instrument_response(participant, BASELINE, "nprs", pain, on, self.assessor)
        for name in ("promis29", "sf12", "ipaq_short"):
            self._questionnaire(participant, BASELINE, name, on)
        record_visit(
            participant, BASELINE, self.coordinator, done_on=on, forms_not_done=_later(BASELINE)
        )

    def _questionnaire(
        self, participant: Participant, visit_code: str, name: str, on: dt.date
    ) -> None:
        """A complete questionnaire with random plausible answers, entered by the assessor."""
        if name == "ipaq_short":
            answers: dict[str, int] = {"sit_minutes": self.rng.randint(240, 600)}
            for prefix, most_days, minutes in (("vig", 3, 60), ("mod", 4, 60), ("walk", 7, 60)):
                days = self.rng.randint(0, most_days)
                answers[f"{prefix}_days"] = days
                answers[f"{prefix}_minutes"] = self.rng.randint(15, minutes) if days else 0
        else:
            answers = {
                item.key: self.rng.choice(item.choices)[0] for item in definition(name).items
            }
        save_instrument_response(participant, visit_code, name, answers, on, self.assessor)

    def _sessions_due(self, session_1: dt.date) -> int:
        elapsed = (self.today - session_1).days
        return sum(
            1
            for n in range(1, PROTOCOL.sessions.total + 1)
            if PROTOCOL.sessions.planned_day(n) < elapsed
        )

    def _sessions(self, participant: Participant, last: int) -> None:
        start = participant.randomized_on
        for number in range(1, last + 1):
            on = start + dt.timedelta(days=PROTOCOL.sessions.planned_day(number))
            attended = number == 1 or self.rng.random() < 0.88
            template = PROTOCOL.sessions.template_for(_arm(participant), number)
            exercises = [
                ExerciseDone(
                    e.code,
                    3,
                    10 if e.dose_unit == "reps" else 30,
                    Decimal(20 + number) if e.load_unit else None,
                    self.rng.randint(5, 8),
                )
                for e in template.exercises
            ]
            if template.individualised:
                exercises.append(
                    ExerciseDone("individualised", 2, 10, None, 4, "Quadruped bird-dog")
                )
            log_session(
                participant,
                number,
                self.therapist,
                session_date=on,
                attendance="attended" if attended else "missed",
                missed_reason="" if attended else self.rng.choice(["illness", "schedule"]),
                duration_minutes=self.rng.randint(45, 60) if attended else None,
                exercises=exercises if attended else [],
            )

    def _adverse_events(self, participant: Participant, session_1: dt.date) -> None:
        AdverseEvent.objects.create(
            participant=participant,
            onset_on=session_1 + dt.timedelta(days=9),
            description="Delayed-onset muscle soreness, lower back",
            severity="mild",
            relatedness="probable",
            action_taken="modified",
            outcome="recovered",
            resolved_on=session_1 + dt.timedelta(days=11),
            reported_by=self.therapist,
        )
        AdverseEvent.objects.create(
            participant=participant,
            onset_on=self.today - dt.timedelta(days=2),
            description="Emergency visit for chest pain after a session; admitted overnight",
            severity="severe",
            serious=True,
            relatedness="unlikely",
            action_taken="interrupted",
            outcome="recovering",
            reported_by=self.therapist,
        )
        raise_query(
            participant,
            BASELINE,
            "sociodemographics",
            "weight_kg",
            "Weight differs from the MRI form; please confirm.",
            self.pi,
        )


def _arm(participant: Participant) -> str:
    arm = arm_for_service(participant.pk)
    if arm is None:
        raise LookupError(f"{participant.study_id} is randomised but has no allocation slot.")
    return arm
