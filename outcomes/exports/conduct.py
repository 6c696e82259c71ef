"""Export values about how the trial was conducted for each participant: visits and their
windows, sessions attended, analysis populations, double entry of the primary outcome, the
assessor's guess and the weekly app pain ratings (one query each per batch of participants)."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from outcomes.devices.models.app import PainEntry
from outcomes.exports.catalogue import VERIFICATION
from outcomes.exports.variables import OUTCOME_VISITS, PLAN
from outcomes.models import InstrumentResponse
from randomization.models import BlindingGuess
from trial.models import Participant, VisitRecord
from trial.models.participant import DataUse
from trial.models.visits import VisitOutcome
from trial.protocol import PROTOCOL
from trial.selectors.anchors import SessionSummary, session_summaries

GUESS_VISIT = PROTOCOL.visits_with("blinding_guess")[0]


class Record(Protocol):
    randomised_on: object
    values: dict[str, object]


def add_conduct(records: dict[int, Record], ids: list[int], include_arm: bool) -> None:
    _visits(records, ids)
    _interviews(records, ids)
    _sessions_and_populations(records, ids)
    _verification(records, ids)
    _guesses(records, ids, include_arm)
    _pain_weeks(records, ids)


def _interviews(records: dict[int, Record], ids: list[int]) -> None:
    """Invitation to each optional (interview) visit and its visit-log outcome."""
    optional = PROTOCOL.optional_visits()
    flags = [f"invited_{visit}" for visit in optional]
    for row in Participant.objects.filter(pk__in=ids).values("pk", *flags):
        values = records[row["pk"]].values
        for visit in optional:
            values[f"{visit}_invited"] = row[f"invited_{visit}"]
    rows = VisitRecord.objects.filter(participant_id__in=ids, visit_code__in=optional)
    for pid, visit, outcome in rows.values_list("participant_id", "visit_code", "outcome"):
        records[pid].values[f"{visit}_status"] = outcome


def _visits(records: dict[int, Record], ids: list[int]) -> None:
    rows = VisitRecord.objects.filter(participant_id__in=ids, visit_code__in=OUTCOME_VISITS)
    for pid, visit, outcome, done_on, out_of_window, not_done in rows.values_list(
        "participant_id", "visit_code", "outcome", "done_on", "out_of_window", "forms_not_done"
    ):
        values = records[pid].values
        values[f"{visit}__visit_outcome"] = outcome
        values[f"{visit}__visit_date"] = done_on
        values[f"{visit}__visit_out_of_window"] = out_of_window if outcome == "done" else None
        reasons = "; ".join(f"{form}: {why}" for form, why in sorted((not_done or {}).items()))
        values[f"{visit}__visit_forms_not_done"] = reasons or None


def _sessions_and_populations(records: dict[int, Record], ids: list[int]) -> None:
    summaries = session_summaries(ids)
    endpoint = PROTOCOL.primary_endpoint_visit
    for pid, record in records.items():
        summary = summaries.get(pid, SessionSummary())
        values = record.values
        values["sessions_attended"] = summary.attended
        values["adherence_pct"] = round(100 * summary.adherence, 1)
        usable = record.randomised_on is not None and values.get("exit_data_use") != DataUse.NONE
        in_window = values.get(
            f"{endpoint}__visit_outcome"
        ) == VisitOutcome.DONE and not values.get(f"{endpoint}__visit_out_of_window")
        for population in PLAN.populations:
            values[f"in_{population.code}"] = usable and population.includes(
                summary.adherence, in_window
            )


def _verification(records: dict[int, Record], ids: list[int]) -> None:
    rows = InstrumentResponse.objects.filter(
        participant_id__in=ids, visit_code__in=OUTCOME_VISITS,
        instrument=PROTOCOL.primary_outcome,
    )  # fmt: skip
    for pid, visit, state in rows.values_list("participant_id", "visit_code", "verification"):
        records[pid].values[f"{visit}__{VERIFICATION.name}"] = state


def _guesses(records: dict[int, Record], ids: list[int], include_arm: bool) -> None:
    for pid, guess, confidence in BlindingGuess.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "guess", "confidence"
    ):
        values = records[pid].values
        values[f"{GUESS_VISIT}__blinding_confidence"] = confidence
        if include_arm:
            values[f"{GUESS_VISIT}__blinding_guess"] = guess


def _pain_weeks(records: dict[int, Record], ids: list[int]) -> None:
    """Ratings grouped by programme week: days 0-6 after session 1 are week 1."""
    by_week: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pid, recorded_at, severity in PainEntry.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "recorded_at", "severity"
    ):
        anchor = records[pid].randomised_on
        if anchor is None:
            continue
        week = (recorded_at.date() - anchor).days // 7 + 1
        if 1 <= week <= PROTOCOL.sessions.weeks:
            by_week[pid, week].append(severity)
    for (pid, week), ratings in by_week.items():
        values = records[pid].values
        values[f"mmp_week_{week:02d}_mean_severity"] = round(sum(ratings) / len(ratings), 2)
        values[f"mmp_week_{week:02d}_ratings"] = len(ratings)
