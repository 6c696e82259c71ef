"""The live CONSORT diagram from seeded flows: the boxes hold the expected numbers, they add up,
and a blinded reader gets one pooled column that names no arm."""

from __future__ import annotations

import html
import re

import pytest

from trial.protocol import PROTOCOL
from trial.selectors.consort import trial_consort

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def flows(role_users: dict) -> dict:
    """The demo's twelve scenarios: 5 randomised (2 in intervention, week 16 done, withdrawn,
    lost), 3 enrolled or eligible but not randomised, and one each not eligible, declined, not
    reached and pending."""
    from strongback.demo.seed import seed_demo
    from tests.conftest import DEMO_PASSWORD

    seed_demo(participants=12, password=DEMO_PASSWORD)
    return role_users


def _numbers(svg: str, label: str) -> list[int]:
    return [int(n) for n in re.findall(re.escape(label) + r" \(n=(\d+)\)", svg)]


def test_boxes_hold_the_seeded_numbers_and_reconcile(flows: dict, client_for) -> None:
    response = client_for("pi").get("/consort/diagram.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = html.unescape(response.content.decode())  # Graphviz writes "-" as &#45;
    assert _numbers(svg, "Assessed for eligibility") == [12]
    assert _numbers(svg, "Randomised") == [5]
    assert _numbers(svg, "Excluded") == [7]
    assert _numbers(svg, "Declined to participate") == [1]
    assert _numbers(svg, "Could not be reached") == [1]
    assert _numbers(svg, "Screening pending") == [1]
    assert _numbers(svg, "Not meeting inclusion criteria") == [1]
    assert _numbers(svg, "Eligible, not (yet) randomised") == [3]
    # Exclusions add up to the excluded box; assessed = excluded + randomised.
    assert 1 + 1 + 1 + 1 + 3 == 7 and 7 + 5 == 12
    # Per arm (the PI is unblinded): one column per arm, adding up to the randomised.
    for arm in PROTOCOL.arms:
        assert arm.label in svg
    allocated = _numbers(svg, "Allocated")
    received, not_received = (
        _numbers(svg, "Received allocated intervention"),
        _numbers(svg, "Did not receive it"),
    )
    analysed, not_analysed = (
        _numbers(svg, "Analysed"),
        _numbers(svg, "Not analysed: no week-16 ODI or data use refused"),
    )
    assert len(allocated) == len(PROTOCOL.arms) and sum(allocated) == 5
    for i, n in enumerate(allocated):
        assert received[i] + not_received[i] == n
        assert analysed[i] + not_analysed[i] == n
    assert sum(_numbers(svg, "Lost to follow-up")) == 1
    assert sum(_numbers(svg, "Withdrew")) == 1
    counts = trial_consort(flows["pi"])
    assert sum(analysed) == counts.pooled.analysed >= 1


def test_blinded_reader_gets_the_pooled_diagram_as_svg_and_pdf(flows: dict, client_for) -> None:
    client = client_for("assessor")
    svg = html.unescape(client.get("/consort/diagram.svg").content.decode())
    assert "All randomised (pooled" in svg
    assert _numbers(svg, "Allocated") == [5]
    for arm in PROTOCOL.arms:
        assert arm.label not in svg and arm.code not in svg
    pdf = client.get("/consort/diagram.pdf?download=1")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == 'attachment; filename="consort.pdf"'
    page = client.get("/consort/").content.decode()
    assert 'data-testid="consort-diagram"' in page


def test_without_graphviz_the_diagram_says_what_is_missing(
    flows: dict, client_for, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no `dot` to be found
    response = client_for("pi").get("/consort/diagram.svg")
    assert response.status_code == 503
    assert b"apt-get install graphviz" in response.content
