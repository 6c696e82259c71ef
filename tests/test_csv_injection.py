"""No CSV the system writes carries a live spreadsheet formula (OWASP CSV injection, CWE-1236).

Free text such as ``=HYPERLINK("http://…","x")`` typed into an adverse event, a participant's
name or a reason for change came out of the identified exports and the audit-trail CSV as a
formula. Every CSV is checked here, cell by cell; numbers (negative ones too) stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from trial.audit.context import audit_context
from trial.csv_safety import safe_cell
from trial.models import AdverseEvent, Participant

pytestmark = pytest.mark.django_db
PAYLOADS = ('=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)", "\t=1+1", "\r=1+1")  # fmt: skip
DATASETS = ("long", "wide", "codebook", "imaging", "adverse_events", "sessions", "signatures")


def test_safe_cell_neutralises_formulas_and_keeps_numbers() -> None:
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    for number in ("-3.5", "+1", "42", "-0.25", "-1e-05", ""):
        assert safe_cell(number) == number
    for word in ("-inf", "-Infinity", "+INF", "-nan", "+1e999"):  # Python reads them, not Excel
        assert safe_cell(word) == "'" + word
    assert safe_cell(-3.5) == -3.5 and safe_cell(None) is None


def _cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode())) for cell in row]


def _live_formulas(cells: list[str]) -> list[str]:
    def number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    return [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not number(c)]


def test_no_csv_export_carries_a_live_formula(role_users: dict, client_for: Callable) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    with audit_context(reason=PAYLOADS[0]):
        identity = participant.identity
        identity.first_name, identity.last_name = PAYLOADS[1], PAYLOADS[0]
        identity.save()
        pi = role_users["pi"]
        pi.first_name = PAYLOADS[3]  # a signer's printed name
        pi.save()
        from trial.services.signatures import record_signature

        record_signature(pi, "visit", f"{participant.study_id}:baseline", "approved", {},
                         participant=participant, visit_code="baseline")  # fmt: skip
        AdverseEvent.objects.create(
            participant=participant, onset_on=participant.randomized_on, description=PAYLOADS[2],
            severity="mild", relatedness="possible", action_taken="none", outcome="recovered",
            reported_by=role_users["therapist"],
        )  # fmt: skip
    manager = client_for("pi")  # sees the arm and identities: the widest exports
    seen_payload = False
    for dataset in DATASETS:
        for options in ({"identified": "on"}, {"deidentified": "on"}):
            response = manager.post("/exports/", {"dataset": dataset, **options})
            if response.status_code != 200 or response.get("Content-Type") != "text/csv":
                continue
            cells = _cells(b"".join(response.streaming_content))
            assert not _live_formulas(cells), (dataset, options, _live_formulas(cells)[:3])
            seen_payload |= any(c.startswith("'=") or c.startswith("'+") for c in cells)
    assert seen_payload  # the payloads did reach an export, neutralised
    audit = manager.get("/audit/?format=csv")
    cells = _cells(b"".join(audit.streaming_content))
    assert any(c == "'" + PAYLOADS[0] for c in cells)
    assert not _live_formulas(cells)
