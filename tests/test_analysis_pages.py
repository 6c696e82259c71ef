"""The statistician's analysis page: the analysis dataset in CSV, Stata, SPSS and R reopens with
the same values and labels; before unblinding only a dummy allocation that never reads the list;
the SAP report runs and is labelled; after lock and unblinding the real arms; every download and
run audited."""

from __future__ import annotations

import io
import re
from html import escape
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from outcomes.analysis.dataset import DUMMY_LABEL, dummy_arms
from outcomes.analysis.models import AnalysisRun
from randomization.models import AllocationSlot
from randomization.unblinding import unblind_trial
from tests.journey import lock_waiving_everything, signed
from trial.models import AuditEntry
from trial.models.audit import AuditAction
from trial.models.participant import ParticipantIdentity
from trial.protocol import PROTOCOL

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CALENDAR_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


@pytest.fixture
def statistician(role_users: dict, client_for, settings, tmp_path: Path):
    from strongback.demo.seed import seed_demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo(participants=12, password="correct-horse-battery-9")
    return client_for("statistician")


def _get(client, file_format: str, allocation: str = "dummy") -> bytes:
    response = client.get("/analysis/dataset/", {"format": file_format, "allocation": allocation})
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    return response.content


def _reopen(content: bytes, suffix: str, tmp_path: Path):
    path = tmp_path / f"a.{suffix}"
    path.write_bytes(content)
    reader = pyreadstat.read_dta if suffix == "dta" else pyreadstat.read_sav
    return reader(str(path))


def test_labelled_files_reopen_with_the_csvs_values_and_labels(statistician, tmp_path) -> None:
    from django.urls import reverse

    home = statistician.get(reverse("home_statistician")).content.decode()
    assert 'data-testid="analysis-links"' in home and "/analysis/dataset/?format=dta" in home
    page = statistician.get("/analysis/").content.decode()
    assert escape(DUMMY_LABEL) in page and "allocation=real" not in page
    csv = pd.read_csv(io.BytesIO(_get(statistician, "csv")), keep_default_na=True)
    names = {i.last_name for i in ParticipantIdentity.objects.all()}
    assert len(csv) >= 3 and csv["study_id"].is_unique
    for suffix in ("dta", "sav"):
        frame, meta = _reopen(_get(statistician, suffix), suffix, tmp_path)
        assert list(frame.columns) == list(csv.columns)
        for column in ("odi_0", "odi_16", "adherence_pct", "arm_experimental", "in_itt"):
            pd.testing.assert_series_equal(frame[column].astype(float), csv[column].astype(float),
                                           check_names=False)  # fmt: skip
        assert meta.column_names_to_labels["adherence_pct"].startswith("sessions attended")
        labels = set(meta.variable_value_labels["arm_experimental"].values())
        assert labels == {"dummy arm A", "dummy arm B"}  # never the real arms' names
        assert set(frame["arm"]) <= {"DUMMY_A", "DUMMY_B"}
        text = frame.astype(str).to_csv()  # the de-identified checks, on the reopened file
        assert not CALENDAR_DATE.search(text) and not any(name in text for name in names)
    script = _get(statistician, "r").decode()
    assert (
        "factor(analysis$arm_experimental" in script and 'attr(analysis$odi_0, "label")' in script
    )
    codebook = pd.read_csv(io.BytesIO(_get(statistician, "codebook")))
    assert list(codebook["column"]) == list(csv.columns)
    assert "1 = dummy arm A" in codebook.set_index("column").loc["arm_experimental", "value_labels"]
    # De-identified: no calendar date, no name.
    for content in (_get(statistician, "csv"), script.encode()):
        text = content.decode(errors="replace")
        assert not CALENDAR_DATE.search(text)
        assert not any(name in text for name in names)
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT,
                                        object_type="outcomes.AnalysisDataset")  # fmt: skip
    assert exports.count() == 6


def test_the_dummy_allocation_never_reads_the_list(statistician) -> None:
    before = pd.read_csv(io.BytesIO(_get(statistician, "csv")))
    assert list(before["arm"]) == dummy_arms(list(before["study_id"]), list(before["stratum"]))
    for slot in AllocationSlot.objects.filter(participant__isnull=False):  # swap every real arm
        slot.arm = "FREE_WEIGHT" if slot.arm == "MC_ILEX" else "MC_ILEX"
        slot.save(reason="test: the dummy must not follow the list")
    after = pd.read_csv(io.BytesIO(_get(statistician, "csv")))
    assert list(after["arm"]) == list(before["arm"])
    refused = statistician.get("/analysis/dataset/", {"format": "csv", "allocation": "real"})
    assert refused.status_code == 302  # back to the page with the reason
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_SENSITIVE,
                                         user_id=refused.wsgi_request.user.pk).exists()  # fmt: skip


def test_the_sap_runs_on_the_dummy_then_the_real_allocation(
    statistician, role_users, client_for
) -> None:
    response = statistician.post("/analysis/runs/", {"allocation": "real"})
    assert not AnalysisRun.objects.exists()  # refused before unblinding
    response = statistician.post("/analysis/runs/", {"allocation": "dummy"}, follow=True)
    run = AnalysisRun.objects.get()
    assert run.status == "done", run.error
    assert run.dummy and len(run.data_sha256) == 64 and run.participants >= 3
    assert escape(DUMMY_LABEL) in response.content.decode()
    html = statistician.get(f"/analysis/runs/{run.pk}/html/")
    report = b"".join(html.streaming_content).decode()
    assert "DUMMY ALLOCATION" in report and "Primary outcome" in report
    assert "alt='CONSORT flow diagram' src='data:image/png;base64," in report
    csv = _get(statistician, "csv").decode()
    for arm in PROTOCOL.arms:  # no real arm, by code or by name, in the dummy report or data
        assert arm.code not in report and arm.label not in report
        assert arm.code not in csv and arm.label not in csv
    pdf = b"".join(statistician.get(f"/analysis/runs/{run.pk}/pdf/").streaming_content)
    assert pdf.startswith(b"%PDF")
    assert AuditEntry.objects.filter(object_type="outcomes.AnalysisRun",
                                     object_id=str(run.pk)).exists()  # fmt: skip
    assert client_for("data_manager").get(f"/analysis/runs/{run.pk}/").status_code == 403

    lock_waiving_everything(role_users["pi"])
    unblind_trial(signed(role_users["pi"]))
    assert "allocation=real" in statistician.get("/analysis/").content.decode()
    statistician.post("/analysis/runs/", {"allocation": "real"})
    real = AnalysisRun.objects.get(dummy=False)
    assert real.status == "done", real.error
    report = (Path(statistician_media()) / real.html_file).read_text()
    assert "DUMMY ALLOCATION" not in report
    real_csv = pd.read_csv(io.BytesIO(_get(statistician, "csv", "real")))
    arms = {s.participant.study_id: s.arm
            for s in AllocationSlot.objects.filter(participant__isnull=False)}  # fmt: skip
    assert {
        sid: arm for sid, arm in zip(real_csv["study_id"], real_csv["arm"], strict=True)
    } == arms


def statistician_media() -> str:
    from django.conf import settings

    return settings.MEDIA_ROOT
