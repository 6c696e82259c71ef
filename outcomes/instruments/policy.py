"""Who may enter which questionnaire: the blinded assessor enters the primary outcome and every
follow-up outcome; at baseline the coordinator may also enter the secondary questionnaires; the
stratification questionnaire needs the right to see it (therapists are blind to it)."""

from __future__ import annotations

from trial.protocol import PROTOCOL

BASELINE = PROTOCOL.baseline_visit


def may_enter(user: object, visit_code: str, instrument: str) -> bool:
    has = user.has_perm  # type: ignore[attr-defined]
    if instrument == PROTOCOL.stratification.instrument:
        return has("trial.view_lsiq") and (
            has("trial.enter_visit_data") or has("trial.enter_outcomes")
        )
    if instrument == PROTOCOL.primary_outcome or visit_code != BASELINE:
        return has("trial.enter_outcomes")
    return has("trial.enter_outcomes") or has("trial.enter_visit_data")


def may_double_enter(user: object, instrument: str) -> bool:
    return instrument == PROTOCOL.primary_outcome and user.has_perm("trial.enter_outcomes")  # type: ignore[attr-defined]
