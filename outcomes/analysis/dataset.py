"""The analysis dataset: one row per randomised participant, each column with its derivation,
built from the same blinding-aware export records (so the arm is there only for a reader who may
see it, and every arm returned is on record).

Before unblinding the statistician gets a *dummy allocation*: arms assigned by a seeded, stratum-
balanced draw that never reads the allocation, so the whole analysis can be checked on live data
while nothing in it depends on the real arms.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import pandas as pd

from outcomes.exports.records import ParticipantRecord, participant_records
from outcomes.exports.variables import ExportOptions
from randomization.selectors import may_see_arm
from trial.models.participant import DataUse
from trial.protocol import PROTOCOL
from trial.protocol.analysis import Combine
from trial.selectors.journeys import hidden_forms_for

PLAN = PROTOCOL.analysis
BASELINE, ENDPOINT = PROTOCOL.baseline_visit, PROTOCOL.primary_endpoint_visit
EXPERIMENTAL = PROTOCOL.arms[0].code  # MC+ILEX is compared with free weights (RQ1)
DUMMY_SEED = 20240601
DUMMY_LABEL = "DUMMY ALLOCATION - not the trial's result"
# Dummy arms never borrow the real arms' names: a dummy file cannot be read as the real one.
DUMMY_ARMS = ("DUMMY_A", "DUMMY_B")


class AnalysisRefused(Exception):
    """The reader may not have this analysis (e.g. the real arms before unblinding)."""


@dataclass
class AnalysisData:
    frame: pd.DataFrame
    derivations: dict[str, str] = field(default_factory=dict)
    dummy: bool = True
    notes: list[str] = field(default_factory=list)


def build(user: object, dummy: bool) -> AnalysisData:
    """The dataset for ``user``: the real arms only when they may see them."""
    if not dummy and not may_see_arm(user):
        raise AnalysisRefused(
            "The real allocation is available after database lock and trial unblinding; "
            "run the analysis on the dummy allocation until then."
        )
    options = ExportOptions(deidentified=True, include_arm=not dummy)
    hidden = hidden_forms_for(user)
    records = [r for r in participant_records(user, options, hidden) if r.randomised_on]
    data = AnalysisData(pd.DataFrame(), derivations=_derivations(), dummy=dummy)
    rows = [_row(record) for record in records]
    frame = pd.DataFrame(rows)
    if frame.empty:
        data.frame = frame
        return data
    if dummy:
        frame["arm"] = dummy_arms(frame["study_id"].tolist(), frame["stratum"].tolist())
        data.derivations["arm"] = (
            f"{DUMMY_LABEL}: seeded ({DUMMY_SEED}) stratum-balanced draw; the allocation is "
            "never read"
        )
    else:
        data.derivations["arm"] = "allocated arm (allocation list), as randomised"
    first = DUMMY_ARMS[0] if dummy else EXPERIMENTAL
    frame["arm_experimental"] = (frame["arm"] == first).astype(int)
    data.derivations["arm_experimental"] = (
        f"1 = {first}, 0 = {'DUMMY_B' if dummy else 'the comparator'}"
    )
    frame["stratum_high"] = (frame["stratum"] == PROTOCOL.stratification.high).astype(float)
    frame.loc[frame["stratum"].isna(), "stratum_high"] = float("nan")
    data.derivations["stratum_high"] = f"1 = {PROTOCOL.stratification.high}"
    if hidden:
        data.notes.append("Strata and LSIQ are hidden from this reader: models omit the stratum.")
    data.frame = frame
    return data


def dummy_arms(study_ids: list[str], strata: list[object]) -> list[str]:
    """DUMMY_A / DUMMY_B, balanced within each stratum and shuffled by a fixed seed: independent
    of the allocation, and named so that no one can take them for the real arms."""
    rng = random.Random(DUMMY_SEED)  # noqa: S311 - a labelled dummy, not an allocation
    arms = list(DUMMY_ARMS)
    out: dict[str, str] = {}
    for stratum in sorted({str(s) for s in strata}):
        members = sorted(sid for sid, s in zip(study_ids, strata, strict=True) if str(s) == stratum)
        labels = [arms[i % len(arms)] for i in range(len(members))]
        rng.shuffle(labels)
        out.update(zip(members, labels, strict=True))
    return [out[sid] for sid in study_ids]


def _value(
    record: ParticipantRecord, visit: str, variables: tuple[str, ...], combine: Combine
) -> float | None:
    values = [record.values.get(f"{visit}__{name}") for name in variables]
    if any(v is None or v == "" for v in values):
        return None
    numbers = [float(v) for v in values]  # type: ignore[arg-type]
    if combine is Combine.SUM:
        return sum(numbers)
    return sum(numbers) / len(numbers)


def _row(record: ParticipantRecord) -> dict[str, object]:
    v = record.values
    exit_on: dt.date | None = v.get("exit_on")  # type: ignore[assignment]
    endpoint_on: dt.date | None = v.get(f"{ENDPOINT}__visit_date")  # type: ignore[assignment]
    after_exit = bool(
        v.get("exit_data_use") == DataUse.COLLECTED
        and exit_on
        and endpoint_on
        and endpoint_on > exit_on
    )
    row: dict[str, object] = {
        "study_id": record.study_id,
        "arm": record.arm or None,
        "stratum": v.get("stratum"),
        "mis_stratified": v.get("mis_stratified"),
        "adherence_pct": v.get("adherence_pct"),
        "endpoint_in_window": _in_window(v),
        "endpoint_verification": v.get(f"{ENDPOINT}__{PROTOCOL.primary_outcome}_verification"),
        "data_use": v.get("exit_data_use") or DataUse.ALL,
        "lsiq_0": v.get(f"{BASELINE}__{PLAN.moderator}"),
        "blinding_guess": v.get(f"{ENDPOINT}__blinding_guess"),
        "blinding_confidence": v.get(f"{ENDPOINT}__blinding_confidence"),
    }
    for population in PLAN.populations:
        row[f"in_{population.code}"] = int(bool(v.get(f"in_{population.code}")))
    for outcome in PLAN.outcomes:
        base = _value(record, BASELINE, outcome.variables, outcome.combine)
        end = None if after_exit else _value(record, ENDPOINT, outcome.variables, outcome.combine)
        row[f"{outcome.code}_0"] = base if outcome.adjust_for_baseline else None
        row[f"{outcome.code}_16"] = end
        has_both = outcome.adjust_for_baseline and base is not None and end is not None
        row[f"{outcome.code}_chg"] = end - base if has_both else None
    return row


def _in_window(values: dict[str, object]) -> int | None:
    if values.get(f"{ENDPOINT}__visit_outcome") != "done":
        return None
    return int(not values.get(f"{ENDPOINT}__visit_out_of_window"))


def _derivations() -> dict[str, str]:
    d = {
        "study_id": "study ID",
        "stratum": "randomisation stratum (LSIQ band at randomisation)",
        "mis_stratified": "1 when the corrected LSIQ contradicts the stratum randomised in",
        "adherence_pct": f"sessions attended / {PROTOCOL.sessions.total} planned x 100",
        "endpoint_in_window": f"{ENDPOINT} visit done inside its window (blank: not done)",
        "endpoint_verification": f"double entry of {PROTOCOL.primary_outcome} at {ENDPOINT}",
        "data_use": "exit answer on data use; 'none' leaves every population, 'collected' "
        f"blanks {ENDPOINT} values measured after the exit date",
        "lsiq_0": f"{BASELINE} {PLAN.moderator} (moderator, RQ4)",
        "blinding_guess": "assessor's guess of the arm (files with the real arm only)",
        "blinding_confidence": "assessor's confidence, 1-5",
    }
    for population in PLAN.populations:
        d[f"in_{population.code}"] = f"{population.label}: {population.rule()}"
    for o in PLAN.outcomes:
        d[f"{o.code}_0"] = f"{o.label} at {BASELINE}: {o.derivation()}"
        d[f"{o.code}_16"] = f"{o.label} at {ENDPOINT}: {o.derivation()}"
        d[f"{o.code}_chg"] = f"{o.code}_16 - {o.code}_0"
    return d
