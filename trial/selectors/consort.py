"""CONSORT counts from the data, with per-arm columns only for readers who may see the arm."""

from __future__ import annotations

from trial.arms import may_see_arm, visible_arms
from trial.consort import ConsortCounts, RandomisedPerson, ScreenedPerson, consort_counts
from trial.handlers import form_scores
from trial.models import Participant, ScreeningEntry
from trial.models.participant import DataUse
from trial.models.sessions import Attendance
from trial.protocol import PROTOCOL

PRIMARY_OUTCOME = (PROTOCOL.primary_endpoint_visit, PROTOCOL.primary_outcome)


def trial_consort(user: object) -> ConsortCounts:
    screened = [
        ScreenedPerson(
            outcome=outcome,
            failed_criteria=tuple(failed or ()),
            enrolled=participant_id is not None,
            randomised=randomized_on is not None,
        )
        for outcome, failed, participant_id, randomized_on in ScreeningEntry.objects.values_list(
            "outcome",
            "eligibility__failed_criteria",
            "participant__id",
            "participant__randomized_on",
        )
    ]
    randomised = list(
        Participant.objects.filter(randomized_on__isnull=False).values_list(
            "pk", "exit__kind", "exit__reason", "exit__data_use"
        )
    )
    ids = [row[0] for row in randomised]
    attended = set(
        Participant.objects.filter(
            pk__in=ids, training_sessions__attendance=Attendance.ATTENDED
        ).values_list("pk", flat=True)
    )
    visit, instrument = PRIMARY_OUTCOME
    scored = {
        pid for pid, total in form_scores(ids, visit, instrument).items() if total is not None
    }
    arms = visible_arms(user, ids)
    people = [
        RandomisedPerson(
            arm=arms[pk].code if pk in arms else None,
            attended_any_session=pk in attended,
            exit_kind=kind,
            exit_reason=reason,
            primary_outcome_scored=pk in scored,
            data_use_refused=data_use == DataUse.NONE,
        )
        for pk, kind, reason, data_use in randomised
    ]
    return consort_counts(
        screened, people, [arm.code for arm in PROTOCOL.arms], show_arms=may_see_arm(user)
    )
