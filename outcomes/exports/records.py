"""Participants' export values, read in batches through the blinding layer.

Each batch costs a fixed number of queries and holds only that batch in memory, so an export of
10,000 participants needs no more memory than one of 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from imaging.selectors import approved_metrics
from outcomes.devices.models.files import ProcessingStatus
from outcomes.devices.models.strength import DynamoCategory, DynamoTest
from outcomes.exports.conduct import add_conduct
from outcomes.exports.variables import (
    DIARY,
    IDENTIFIERS,
    MEDICAL_CONDITIONS,
    MEDX_ANGLES,
    OUTCOME_VISITS,
    ExportOptions,
)
from outcomes.models import (
    ActigraphyRecording,
    InstrumentResponse,
    MedxTest,
    SleepDiaryNight,
)
from randomization.selectors import visible_arms
from trial.models import Participant
from trial.models.baseline import MedicalHistory, Sociodemographics
from trial.models.participant import ParticipantIdentity

BATCH = 200
SOCIO_FIELDS = (
    "age_years",
    "sex",
    "gender",
    "education",
    "employment",
    "work_status",
    "lbp_duration_months",
    "height_cm",
    "weight_kg",
    "bmi",
    "lbp_history",
    "previous_treatments",
    "medications",
)
HISTORY_FIELDS = (*MEDICAL_CONDITIONS, "other_conditions", "smoking")


@dataclass
class ParticipantRecord:
    study_id: str
    randomised_on: dt.date | None
    arm: str = ""
    values: dict[str, object] = field(default_factory=dict)  # column -> raw value


def participant_records(
    user: object, options: ExportOptions, hidden_instruments: frozenset[str]
) -> Iterator[ParticipantRecord]:
    """Every enrolled participant in study-ID order, one batch of queries per ``BATCH``."""
    ids = list(Participant.objects.order_by("study_id").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield from _batch(ids[start : start + BATCH], user, options, hidden_instruments)


def _batch(
    ids: list[int], user: object, options: ExportOptions, hidden: frozenset[str]
) -> Iterator[ParticipantRecord]:
    records: dict[int, ParticipantRecord] = {}
    for (
        pk,
        study_id,
        consent,
        randomised,
        stratum,
        kind,
        reason,
        exit_on,
        data_use,
        mis,
        version,
        language,
    ) in (
        Participant.objects.filter(pk__in=ids)
        .order_by("study_id")
        .values_list(
            "pk",
            "study_id",
            "consent_date",
            "randomized_on",
            "randomization_stratum",
            "exit__kind",
            "exit__reason",
            "exit__exit_on",
            "exit__data_use",
            "mis_stratified",
            "consent_version",
            "consent_language",
        )
    ):
        records[pk] = ParticipantRecord(
            study_id,
            randomised,
            values={
                "consent_date": consent,
                "randomised_on": randomised,
                "stratum": stratum or None,
                "exit_kind": kind,
                "exit_reason": reason,
                "exit_on": exit_on,
                "exit_data_use": data_use,
                "mis_stratified": mis if stratum else None,
                "consent_version": version,
                "consent_language": language,
            },
        )
    if options.include_arm:
        for pk, arm in visible_arms(user, ids).items():
            records[pk].arm = arm.code
    for row in Sociodemographics.objects.filter(participant_id__in=ids).values(
        "participant_id", *SOCIO_FIELDS
    ):
        records[row.pop("participant_id")].values.update(row)
    for row in MedicalHistory.objects.filter(participant_id__in=ids).values(
        "participant_id", *HISTORY_FIELDS
    ):
        values = records[row.pop("participant_id")].values
        values.update({f"mh_{name}": value for name, value in row.items()})
    if options.identified and not options.deidentified:
        for identity in ParticipantIdentity.objects.filter(participant_id__in=ids):
            values = records[identity.participant_id].values
            for variable in IDENTIFIERS:
                values[variable.name] = getattr(identity, variable.name)
    _instruments(records, ids, hidden)
    _devices(records, ids)
    _dynamo(records, ids)
    _imaging(records, ids)
    add_conduct(records, ids, options.include_arm)
    yield from records.values()


def _instruments(records: dict[int, ParticipantRecord], ids: list[int], hidden: frozenset) -> None:
    rows = InstrumentResponse.objects.filter(
        participant_id__in=ids, visit_code__in=OUTCOME_VISITS
    ).exclude(instrument__in=hidden)
    for pid, visit, name, done_on, answers, total, subscores in rows.values_list(
        "participant_id",
        "visit_code",
        "instrument",
        "completed_on",
        "responses",
        "total",
        "subscores",
    ):
        values = records[pid].values
        values[f"{visit}__{name}_completed_on"] = done_on
        for key, value in answers.items():
            values[f"{visit}__{key}"] = value
        values[f"{visit}__{name}_total"] = total
        for key, value in subscores.items():
            values[f"{visit}__{name}_{key}"] = value


def _devices(records: dict[int, ParticipantRecord], ids: list[int]) -> None:
    medx = MedxTest.objects.filter(participant_id__in=ids, visit_code__in=OUTCOME_VISITS)
    torques = [f"torque_{angle}" for angle in MEDX_ANGLES]
    for row in medx.order_by("tested_on").values(
        "participant_id",
        "visit_code",
        "tested_on",
        "peak_torque_nm",
        "strength_index",
        "gravity_corrected",
        "rom_flexion_deg",
        "rom_extension_deg",
        *torques,
    ):
        values = records[row.pop("participant_id")].values  # the latest test of the visit wins
        visit = row.pop("visit_code")
        for name, value in row.items():  # each field exports as medx_<field>
            values[f"{visit}__medx_{name}"] = value
    _diary(records, ids)
    recordings = ActigraphyRecording.objects.filter(
        participant_id__in=ids, visit_code__in=OUTCOME_VISITS, status=ProcessingStatus.DONE
    )
    for pid, visit, summary in recordings.order_by("processed_at").values_list(
        "participant_id", "visit_code", "summary"
    ):
        for key, value in summary.items():
            records[pid].values[f"{visit}__actigraphy_{key}"] = value


def _diary(records: dict[int, ParticipantRecord], ids: list[int]) -> None:
    """The sleep diary's own answers, as means over the visit's nights."""
    nights: dict[tuple[int, str], list[dict]] = {}
    rows = SleepDiaryNight.objects.filter(participant_id__in=ids, visit_code__in=OUTCOME_VISITS)
    for row in rows.values("participant_id", "visit_code", *(n for n, _, _ in DIARY)):
        nights.setdefault((row.pop("participant_id"), row.pop("visit_code")), []).append(row)
    for (pid, visit), entered in nights.items():
        values = records[pid].values
        values[f"{visit}__diary_nights"] = len(entered)
        for name, _, _ in DIARY:
            answered = [n[name] for n in entered if n[name] is not None]
            if answered:
                values[f"{visit}__diary_{name}_mean"] = round(sum(answered) / len(answered), 2)


def _dynamo(records: dict[int, ParticipantRecord], ids: list[int]) -> None:
    """The best trial of each movement and side: the highest torque per kg (strength; its force
    and torque come with it), the largest range of motion."""
    tests = DynamoTest.objects.filter(participant_id__in=ids, visit_code__in=OUTCOME_VISITS)
    for pid, visit, category, movement, side, force, torque, per_kg, rom in tests.values_list(
        "participant_id",
        "visit_code",
        "category",
        "movement",
        "side",
        "peak_force_n",
        "torque_nm",
        "torque_per_kg",
        "rom_deg",
    ):
        values = records[pid].values
        if category == DynamoCategory.STRENGTH:
            key = f"{visit}__dynamo_{movement}_{side}"
            best = values.get(f"{key}_torque_per_kg")
            if per_kg is not None and (best is None or per_kg > best):
                values[f"{key}_peak_force_n"] = force
                values[f"{key}_torque_nm"] = torque
                values[f"{key}_torque_per_kg"] = per_kg
        elif rom is not None:
            key = f"{visit}__dynamo_rom_{movement}_{side}_deg"
            values[key] = max(rom, values.get(key) or rom)


def _imaging(records: dict[int, ParticipantRecord], ids: list[int]) -> None:
    metrics = approved_metrics().filter(
        run__study__participant_id__in=ids, run__study__visit_code__in=OUTCOME_VISITS
    )
    for pid, visit, muscle, side, level, csa, mean_csa, volume, fat in metrics.order_by(
        "run__reviewed_at"
    ).values_list(
        "run__study__participant_id",
        "run__study__visit_code",
        "muscle",
        "side",
        "level",
        "csa_mm2",
        "mean_csa_mm2",
        "volume_mm3",
        "fat_fraction_pct",
    ):
        prefix = f"{visit}__mri_{muscle}_{side}_{level}"
        values = records[pid].values
        # The whole stack has no mid-level slice: its CSA is the mean over the stack.
        values[f"{prefix}_csa_mm2"] = csa if csa is not None else mean_csa
        values[f"{prefix}_volume_mm3"] = volume
        values[f"{prefix}_fat_fraction_pct"] = fat
