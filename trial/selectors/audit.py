"""The audit trail as a given reader may see it (the blinding layer for the trail).

Session logs and allocation slots imply the arm (template codes, exercise names, slot order), so
their rows are left out for anyone who may not see the arm; rows of the stratification
questionnaire and the stratum are left out for anyone blind to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet

from trial.arms import may_see_arm
from trial.models.audit import AuditEntry

ARM_REVEALING_TYPES = ("trial.TrainingSession", "trial.ExerciseEntry")
STRATUM_FIELDS = ("randomization_stratum", "stratum", "mis_stratified")


def hidden_by_apps(user: object) -> list[Q]:
    """Rows each app says this reader may not see (its ``AppConfig.audit_rows_hidden_from``):
    the allocation slots for the blinded, the stratification answers for those blind to them."""
    hidden = []
    for config in apps.get_app_configs():
        declare = getattr(config, "audit_rows_hidden_from", None)
        condition = declare(user) if declare else None
        if condition is not None:
            hidden.append(condition)
    return hidden


def visible_audit_entries(user: object) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    for condition in hidden_by_apps(user):
        entries = entries.exclude(condition)
    if not may_see_arm(user):
        entries = entries.exclude(object_type__in=ARM_REVEALING_TYPES)
        # Free text from unblinded staff (and its reviews) may name the arm's exercises: the
        # records' pages show the reviewed version; the trail's raw values are not for them.
        from trial.services.text_review import REVIEWED_FIELDS

        for object_type, fields in REVIEWED_FIELDS.items():
            entries = entries.exclude(object_type=object_type, field__in=fields)
        entries = entries.exclude(object_type="trial.TextReview")
    if not user.has_perm("trial.view_lsiq"):  # type: ignore[attr-defined]
        entries = entries.exclude(field__in=STRATUM_FIELDS)
    return entries


@dataclass(frozen=True)
class AnchorStatus:
    """The audit chain's head against its newest external anchor, for the monitor's page."""

    head_seq: int
    anchor_seq: int | None
    anchored_at: str
    problem: str


def anchor_status() -> AnchorStatus:
    from trial.audit.anchor import AnchorTampered, anchor_problem, latest_anchor
    from trial.audit.sequencer import sealed_head

    head = (sealed_head() or (0, ""))[0]
    try:
        anchor = latest_anchor()
    except AnchorTampered as error:
        return AnchorStatus(head, None, "", str(error))
    if anchor is None:
        return AnchorStatus(head, None, "", "")
    problem = anchor_problem(anchor, head) or ""
    return AnchorStatus(head, anchor.seq, anchor.written_at, problem)
