"""Logging a supervised session and its exercises against the arm's session template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from trial.arms import arm_for_service
from trial.exceptions import NotRandomised, SessionRefused
from trial.models import ExerciseEntry, Participant, TrainingSession
from trial.models.sessions import Attendance
from trial.protocol import PROTOCOL
from trial.protocol.schema import SessionTemplate


@dataclass(frozen=True)
class ExerciseDone:
    exercise_code: str
    sets: int
    reps: int
    load: Decimal | None = None
    rpe: int | None = None
    exercise_name: str = ""


def template_for(participant: Participant, number: int) -> SessionTemplate:
    arm = arm_for_service(participant.pk)
    if arm is None or not participant.is_randomised:
        raise NotRandomised(f"{participant.study_id} is not randomised yet.")
    return PROTOCOL.sessions.template_for(arm, number)


def planned_date(participant: Participant, number: int) -> dt.date | None:
    start = participant.randomized_on or participant.session_1_planned_on
    if start is None:
        return None
    return start + dt.timedelta(days=PROTOCOL.sessions.planned_day(number))


@transaction.atomic
def previous_session(participant: Participant, number: int, template_code: str):
    """The latest attended session before ``number`` with the same template: a new session's
    exercises, sets, reps and loads start from it (the programme progresses from there)."""
    return (
        TrainingSession.objects.filter(
            participant=participant,
            number__lt=number,
            template_code=template_code,
            attendance=Attendance.ATTENDED,
        )
        .order_by("-number")
        .first()
    )


def log_session(
    participant: Participant,
    number: int,
    user: object,
    *,
    session_date: dt.date,
    attendance: str,
    missed_reason: str = "",
    duration_minutes: int | None = None,
    notes: str = "",
    exercises: Sequence[ExerciseDone] = (),
    reason: str = "",
) -> TrainingSession:
    """Create or correct session ``number``; exercises replace the ones logged before."""
    template = template_for(participant, number)
    if participant.randomized_on and session_date < participant.randomized_on:
        raise SessionRefused("A session cannot be dated before session 1 (randomisation).")
    if attendance == Attendance.MISSED:
        if not missed_reason:
            raise SessionRefused("Give the reason the session was missed.")
        if exercises:
            raise SessionRefused("A missed session has no exercises.")
    elif not exercises or not duration_minutes:
        # An attended session with nothing in it is an entry error, not a session.
        raise SessionRefused(
            "An attended session needs its duration and at least one exercise with what was done."
        )
    known = {exercise.code for exercise in template.exercises}
    for done in exercises:
        if done.exercise_code not in known and not (template.individualised and done.exercise_name):
            raise SessionRefused(
                f"{done.exercise_code!r} is not an exercise of {template.label}; individualised "
                "exercises need a name."
            )
    session = TrainingSession.objects.filter(participant=participant, number=number).first()
    session = session or TrainingSession(participant=participant, number=number, therapist=user)
    session.session_date = session_date
    session.attendance = attendance
    session.missed_reason = missed_reason if attendance == Attendance.MISSED else ""
    session.duration_minutes = duration_minutes if attendance == Attendance.ATTENDED else None
    session.template_code = template.code
    session.notes = notes
    session.save(reason=reason)
    previous = list(session.exercises.all())
    if previous and not reason.strip():
        raise SessionRefused("Changing logged exercises needs a reason for change.")
    for entry in previous:
        entry.delete(reason=reason)
    ExerciseEntry.objects.bulk_create(
        [
            ExerciseEntry(
                session=session,
                exercise_code=done.exercise_code,
                exercise_name=done.exercise_name,
                sets=done.sets,
                reps=done.reps,
                load=done.load,
                rpe=done.rpe,
            )
            for done in exercises
        ]
    )
    return session
