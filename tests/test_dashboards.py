"""Dashboards: the pooled one shows recruitment, visits, completeness, queries, imaging QC and
outcome distributions that match the data, and names no arm; the by-arm one splits the same
distributions by arm, for the PI, and for the statistician only after lock and unblinding."""

from __future__ import annotations

import re

import numpy as np
import pytest

from outcomes.dashboards.data import blinded_dashboard, unblinded_dashboard
from outcomes.models import InstrumentResponse
from tests.conftest import DEMO_PASSWORD
from tests.journey import lock_waiving_everything, signed
from tests.test_blinding import assert_no_leak
from trial.models import Participant
from trial.protocol import PROTOCOL

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def trial_data(role_users: dict) -> dict:
    from strongback.demo.seed import seed_demo

    seed_demo(participants=24, password=DEMO_PASSWORD)
    return role_users


def _odi(visit: str) -> list[float]:
    return list(
        InstrumentResponse.objects.filter(
            instrument="odi", visit_code=visit, total__isnull=False
        ).values_list("total", flat=True)
    )


def test_pooled_dashboard_matches_the_data_and_names_no_arm(trial_data: dict, client_for) -> None:
    page = client_for("assessor").get("/dashboard/").content.decode()
    randomised = Participant.objects.filter(randomized_on__isnull=False).count()
    assert f"{randomised} of {PROTOCOL.target_sample_size} randomised" in page
    assert f'data-randomised="{randomised}"' in page
    assert_no_leak(page, "/dashboard/")
    assert page.count('data-testid="outcome-panel"') == 14  # 12 scores + 2 MRI measures

    data = blinded_dashboard(trial_data["assessor"])
    odi = next(p for p in data["outcomes"] if p["title"].startswith("ODI"))
    baseline = odi["summaries"]["baseline"]["All participants"]
    values = _odi("baseline")
    assert baseline.n == len(values) > 3
    assert baseline.median == pytest.approx(float(np.median(values)))
    assert f'data-median="{baseline.median:g}"' in page
    # A subscore panel: read out of the responses' JSON by the database.
    pcs = next(p for p in data["outcomes"] if "(PCS)" in str(p["title"]))
    stored = [
        r.subscores["pcs"]
        for r in InstrumentResponse.objects.filter(instrument="sf12", visit_code="baseline")
        if (r.subscores or {}).get("pcs") is not None
    ]
    summary = pcs["summaries"]["baseline"]["All participants"]
    assert summary.n == len(stored) > 3
    assert summary.median == pytest.approx(float(np.median(stored)))
    timeliness = {row["visit"]: row for row in data["timeliness"]}
    assert timeliness["baseline"]["done"] >= baseline.n > 0
    # Completeness is a share of visits done: every value is a percentage.
    for _label, pct, caption in data["completeness_rows"]:
        done, total = map(int, re.match(r"\((\d+)/(\d+)\)", caption).groups())
        assert pct == pytest.approx(round(100 * done / total, 1))


def test_by_arm_dashboard_splits_the_same_data(trial_data: dict, client_for) -> None:
    from randomization.unblinding import unblind_trial

    pi_page = client_for("pi").get("/dashboard/by-arm/")
    assert pi_page.status_code == 200
    for arm in PROTOCOL.arms:
        assert arm.label in pi_page.content.decode()
    # Before lock the PI has safety, adherence and allocation by arm, but no outcome by arm.
    assert 'data-testid="outcomes-after-lock"' in pi_page.content.decode()
    before_lock = unblinded_dashboard(trial_data["pi"])
    assert before_lock["outcomes"] is None and before_lock["arms"]
    statistician = client_for("statistician")
    assert statistician.get("/dashboard/by-arm/").status_code == 403
    assert "Open the dashboard by arm" not in statistician.get("/dashboard/").content.decode()
    lock_waiving_everything(trial_data["data_manager"])
    unblind_trial(signed(trial_data["pi"]))
    data = unblinded_dashboard(trial_data["pi"])
    pooled = blinded_dashboard(trial_data["pi"])
    for split, whole in zip(data["outcomes"], pooled["outcomes"], strict=True):
        for visit in ("baseline", "week16"):
            n_arms = sum(s.n for s in split["summaries"][visit].values() if s)
            n_all = whole["summaries"][visit]["All participants"]
            # Only randomised participants have an arm; everyone else is pooled only.
            assert n_arms <= (n_all.n if n_all else 0), split["title"]
    assert (
        sum(arm["allocated"] for arm in data["arms"])
        == Participant.objects.filter(randomized_on__isnull=False).count()
    )

    assert statistician.get("/dashboard/by-arm/").status_code == 200
    assert client_for("assessor").get("/dashboard/by-arm/").status_code == 403
