"""Words for people, not codes (issue 24, in part): criteria say "not excluded" / "excluded",
export options read as words, counts have proper plurals."""

from __future__ import annotations

import pytest

from tests.journey import assess, screen

pytestmark = pytest.mark.django_db


def test_exclusion_criteria_read_not_excluded_or_excluded(client_for) -> None:
    clear = assess(screen())
    html = client_for("coordinator").get(f"/screening/{clear.pk}/eligibility/").content.decode()
    criteria = html.split('data-testid="criteria"')[1].split("</ul>")[0]
    assert "not excluded" in criteria and "exclusion criterion" in criteria
    assert "(exclusion)" not in criteria and "fails" not in criteria
    excluded = assess(screen(), previous_spinal_surgery=True)
    html = client_for("coordinator").get(f"/screening/{excluded.pk}/eligibility/").content.decode()
    assert ">excluded<" in html


def test_recent_exports_show_their_options_in_words(client_for) -> None:
    client = client_for("data_manager")
    response = client.post("/exports/", {"dataset": "wide", "deidentified": "on"})
    assert response.status_code in (200, 302)
    html = client.get("/exports/").content.decode()
    assert "de-identified, no arm" in html
    assert "{&#x27;deidentified&#x27;" not in html and "{'deidentified'" not in html


def test_the_audit_list_names_records_and_fields_in_words(client_for) -> None:
    from trial.models import ScreeningEntry

    entry = ScreeningEntry.objects.order_by("pk").first()
    entry.age = entry.age + 1
    entry.save(reason="typed the wrong age")
    html = client_for("monitor").get("/audit/", {"field": "age", "action": "update"}).content
    page = html.decode()
    assert "typed the wrong age" in page
    assert str(ScreeningEntry._meta.verbose_name) in page
    assert str(ScreeningEntry._meta.get_field("age").verbose_name) in page
    assert "trial.ScreeningEntry" not in page


def test_allocation_slot_supply_names_strata_and_lists_in_words(client_for) -> None:
    from trial.protocol import PROTOCOL

    html = client_for("statistician").get("/home/statistician/").content.decode()
    supply = html.split('data-testid="slot-supply"')[1].split("</ul>")[0]
    assert any(stratum.label in supply for stratum in PROTOCOL.strata)
    assert not any(f"{stratum.code}:" in supply for stratum in PROTOCOL.strata)
    assert "production ·" not in supply and " left" in supply
