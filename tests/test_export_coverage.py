"""Every stored field about a participant is in an export or left out with a reason
(``outcomes/exports/coverage.py``), and every declared export column exists."""

from __future__ import annotations

import pytest
from django.apps import apps

from outcomes.exports import tables
from outcomes.exports.catalogue import catalogue
from outcomes.exports.coverage import EXCLUDED, EXPORTED
from outcomes.exports.variables import OUTCOME_VISITS, ExportOptions
from trial.models import Participant
from trial.protocol import PROTOCOL

DEPTH = 3  # participant <- study <- run <- metric


def participant_models() -> set[str]:
    """Models linked to a participant by a chain of foreign keys (the participant included)."""
    found = {Participant}
    for _ in range(DEPTH):
        for model in apps.get_models():
            if model in found:
                continue
            if any(f.concrete and getattr(f, "related_model", None) in found
                   for f in model._meta.get_fields() if f.is_relation):  # fmt: skip
                found.add(model)
    return {model._meta.label for model in found}


def export_columns() -> set[str]:
    """Every column of every dataset, with the widest options (identified, with the arm)."""
    options = ExportOptions(deidentified=False, include_arm=True, identified=True)
    visits = [(v.code, v.forms) for v in PROTOCOL.visits if v.code in OUTCOME_VISITS]
    wide = {f"wide:{v.name}" for v in catalogue(visits, options, {"trial.view_lsiq"})}
    wide.add("wide:study_id")
    for dataset, header in (("sessions", [*tables.SESSION_HEADER, "notes"]),
                            ("adverse_events", [*tables.AE_HEADER, "description"]),
                            ("imaging", tables.IMAGING_HEADER),
                            ("signatures", tables.SIGNATURE_HEADER)):  # fmt: skip
        wide |= {f"{dataset}:{column}" for column in header}
    return wide


def test_every_participant_field_is_exported_or_excluded_with_a_reason() -> None:
    problems = []
    for label in sorted(participant_models()):
        model = apps.get_model(label)
        fields = {f.name for f in model._meta.concrete_fields}
        exported, excluded = EXPORTED.get(label, {}), EXCLUDED.get(label, {})
        for name in sorted(fields - set(exported) - set(excluded)):
            problems.append(f"{label}.{name}: neither exported nor excluded with a reason")
        for name in sorted((set(exported) | set(excluded)) - fields):
            problems.append(f"{label}.{name}: declared but not a field")
        for name in sorted(set(exported) & set(excluded)):
            problems.append(f"{label}.{name}: both exported and excluded")
        problems += [f"{label}.{n}: empty reason" for n, why in excluded.items() if not why]
    assert problems == [], "\n".join(problems)
    assert len(participant_models()) >= 30


def test_every_declared_export_column_exists() -> None:
    columns = export_columns()
    missing = sorted(
        f"{model}.{field} -> {target}"
        for model, targets in EXPORTED.items()
        for field, target in targets.items()
        if target not in columns
    )
    assert missing == []


def test_a_new_field_would_fail_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    excluded = {**EXCLUDED, "trial.VisitRecord": dict(EXCLUDED["trial.VisitRecord"])}
    excluded["trial.VisitRecord"].pop("missed_reason")
    monkeypatch.setattr("tests.test_export_coverage.EXCLUDED", excluded)
    with pytest.raises(AssertionError, match=r"trial.VisitRecord.missed_reason: neither"):
        test_every_participant_field_is_exported_or_excluded_with_a_reason()
