"""Exports: long and wide agree cell by cell, the codebook covers every column, the CSV reloads
into the database's values, de-identified files hold no identifier, calendar date or arm, and
every export is audited with its row count and SHA-256."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from outcomes.exports.services import ExportRefused, check
from outcomes.exports.variables import ExportOptions
from outcomes.models import ExportRecord, ExportStatus, InstrumentResponse
from tests.conftest import DEMO_PASSWORD
from tests.journey import lock_waiving_everything, signed
from trial.models import AuditEntry, Participant
from trial.models.audit import AuditAction
from trial.models.participant import ParticipantIdentity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CALENDAR_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


@pytest.fixture
def trial_data(role_users: dict, settings, tmp_path: Path) -> dict:
    """Twelve participants at every stage, with one approved MRI study."""
    from imaging.models import SegmentationRun
    from imaging.services.review import decide
    from strongback.demo.seed import seed_demo, seed_demo_imaging

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo(participants=12, password=DEMO_PASSWORD)
    seed_demo_imaging(role_users["coordinator"])
    from imaging.services.disc_levels import confirm

    run = SegmentationRun.objects.get()
    decide(run, role_users["assessor"], approve=True)
    confirm(run.study, role_users["assessor"])  # per-level metrics export once confirmed
    return role_users


def _download(client, dataset: str, **options: bool) -> bytes:
    data = {"dataset": dataset, **{k: "on" for k, v in options.items() if v}}
    response = client.post("/exports/", data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv"
    return b"".join(response.streaming_content)


def _frame(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)


def test_long_and_wide_agree_cell_by_cell_and_the_codebook_covers_them(
    trial_data: dict, client_for
) -> None:
    client = client_for("data_manager")
    long = _frame(_download(client, "long", deidentified=True))
    wide = _frame(_download(client, "wide", deidentified=True)).set_index("study_id")
    codebook = _frame(_download(client, "codebook", deidentified=True))

    assert len(wide) == Participant.objects.count()
    cells = 0
    for study_id, visit, variable, value in long.itertuples(index=False):
        column = f"{visit}__{variable}" if visit else variable
        assert wide.at[study_id, column] == value, (study_id, column)
        cells += 1
    # Every non-empty wide cell has its long row (the layouts hold the same data).
    long_keys = {
        (s, f"{v}__{n}" if v else n) for s, v, n in long[["study_id", "visit", "variable"]].values
    }
    for study_id, row in wide.iterrows():
        for column, value in row.items():
            if value != "":
                assert (study_id, column) in long_keys, (study_id, column)
    assert cells > 500  # instruments, devices and the approved MRI are all there
    assert set(codebook["column"]) == {"study_id", *wide.columns}
    assert set(long["variable"]) <= set(codebook["variable"])
    mri = codebook[codebook["column"] == "baseline__mri_multifidus_left_L5_volume_mm3"].iloc[0]
    assert mri["units"] == "mm3" and mri["type"] == "number"
    odi = codebook[codebook["column"] == "baseline__odi_01"].iloc[0]
    assert odi["instrument_version"] == "odi-2.1a" and "0" in odi["allowed_values"]


def test_csv_round_trip_matches_the_database(trial_data: dict, client_for) -> None:
    long = _frame(_download(client_for("data_manager"), "long", identified=True))
    values = {
        (s, v, n): value
        for s, v, n, value in long[["study_id", "visit", "variable", "value"]].values
    }
    responses = InstrumentResponse.objects.filter(visit_code__in=("baseline", "week16"))
    checked = 0
    for response in responses.select_related("participant"):
        key = (response.participant.study_id, response.visit_code)
        total = values[(*key, f"{response.instrument}_total")]
        assert (float(total) if total else None) == response.total
        assert values[(*key, f"{response.instrument}_completed_on")] == str(response.completed_on)
        for item, answer in response.responses.items():
            cell = values[(*key, item)]
            assert (int(cell) if cell else None) == answer
            checked += 1
    assert checked > 100
    from imaging.selectors import approved_metrics

    metric = approved_metrics().get(muscle="multifidus", side="left", level="L5")
    study_id = metric.run.study.participant.study_id
    cell = values[(study_id, "baseline", "mri_multifidus_left_L5_volume_mm3")]
    assert float(cell) == metric.volume_mm3


def test_deidentified_export_has_no_identifier_date_or_free_text(
    trial_data: dict, client_for
) -> None:
    client = client_for("data_manager")
    texts = {
        dataset: _download(client, dataset, deidentified=True).decode()
        for dataset in ("long", "wide", "imaging", "adverse_events")
    }
    identities = list(ParticipantIdentity.objects.all())
    assert identities
    for dataset, text in texts.items():
        assert not CALENDAR_DATE.search(text), (dataset, CALENDAR_DATE.search(text))
        for identity in identities:
            for value in (identity.first_name, identity.last_name, identity.email, identity.phone):
                assert not value or value not in text, (dataset, value)
    wide = _frame(texts["wide"].encode())
    assert "arm" not in wide.columns and "first_name" not in wide.columns
    assert "medications" not in wide.columns  # free text
    # Dates become study days from randomisation: 0 on the day of randomisation.
    randomised = wide[wide["randomised_on"] != ""]
    assert set(randomised["randomised_on"]) == {"0"}
    # The identified export, for those allowed, carries the names.
    identified = _download(client, "wide", identified=True).decode()
    assert identities[0].last_name in identified


def test_arm_only_for_unblinded_readers_and_every_export_audited(
    trial_data: dict, client_for
) -> None:
    from randomization.unblinding import unblind_trial

    statistician = trial_data["statistician"]
    with pytest.raises(ExportRefused, match="blinded"):
        check(statistician, "wide", ExportOptions(include_arm=True))
    with pytest.raises(ExportRefused, match="session"):
        check(statistician, "sessions", ExportOptions())
    client = client_for("statistician")
    page = client.get("/exports/").content.decode()
    assert "include_arm" not in page and "Session log" not in page
    # A forged "include_arm" is not a field the blinded reader's form has: it is ignored.
    forged = client.post("/exports/", {"dataset": "wide", "include_arm": "on"})
    header = b"".join(forged.streaming_content).split(b"\n")[0].split(b",")
    assert b"arm" not in header and header[0] == b"study_id"

    lock_waiving_everything(trial_data["data_manager"])
    unblind_trial(signed(trial_data["pi"]))
    content = _download(client, "wide", deidentified=True, include_arm=True)
    wide = _frame(content)
    assert list(wide.columns[:2]) == ["study_id", "arm"]
    randomised = Participant.objects.filter(randomized_on__isnull=False).count()
    assert (wide["arm"] != "").sum() == randomised

    export = ExportRecord.objects.filter(user=statistician).latest("created_at")
    assert export.status == ExportStatus.DONE and export.rows == len(wide)
    assert export.sha256 == hashlib.sha256(content).hexdigest()
    assert export.options == {"deidentified": True, "include_arm": True, "identified": False}
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, username="statistician").last()
    assert f"sha256={export.sha256}" in entry.reason and f"rows={export.rows}" in entry.reason


def test_big_exports_run_in_the_background_with_the_same_bytes(
    trial_data: dict, client_for, settings
) -> None:
    client = client_for("data_manager")
    streamed = _download(client, "long", deidentified=True)
    settings.EXPORT_ASYNC_THRESHOLD = 5
    response = client.post("/exports/", {"dataset": "long", "deidentified": "on"})
    export = ExportRecord.objects.latest("created_at")
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    assert export.status == ExportStatus.DONE
    assert export.participants_done == export.participants_total == Participant.objects.count()
    status = client.get(f"/exports/{export.pk}/").content.decode()
    assert export.sha256 in status and "100 %" in status
    download = client.get(f"/exports/{export.pk}/download/")
    assert b"".join(download.streaming_content) == streamed
    # Someone else's export is not theirs to read.
    assert client_for("statistician").get(f"/exports/{export.pk}/download/").status_code == 404


def test_blinded_statistician_exports_name_no_arm(trial_data: dict, client_for) -> None:
    from tests.test_blinding import assert_no_leak

    client = client_for("statistician")
    for dataset in ("long", "wide", "codebook", "imaging"):
        for deidentified in (True, False):
            text = _download(client, dataset, deidentified=deidentified).decode()
            assert_no_leak(text, (dataset, deidentified))


def test_conduct_and_device_columns_carry_the_database_values(trial_data: dict, client_for) -> None:
    """The columns added for the analysis hold what the database holds."""
    from outcomes.models import DynamoTest, MedxTest, PainEntry
    from trial.models import VisitRecord
    from trial.selectors.anchors import session_summaries

    wide = _frame(_download(client_for("data_manager"), "wide", deidentified=True))
    wide = wide.set_index("study_id")
    test = DynamoTest.objects.filter(category="strength", visit_code="baseline").first()
    best = max(t.torque_per_kg for t in DynamoTest.objects.filter(
        participant=test.participant, visit_code="baseline", movement=test.movement,
        side=test.side))  # fmt: skip
    column = f"baseline__dynamo_{test.movement}_{test.side}_torque_per_kg"
    assert float(wide.loc[test.participant.study_id, column]) == pytest.approx(best)
    medx = MedxTest.objects.filter(visit_code="baseline").first()
    row = wide.loc[medx.participant.study_id]
    assert float(row["baseline__medx_torque_72"]) == pytest.approx(medx.torque_72)
    visit = VisitRecord.objects.filter(visit_code="baseline", outcome="done").first()
    row = wide.loc[visit.participant.study_id]
    assert row["baseline__visit_outcome"] == "done"
    assert row["baseline__visit_out_of_window"] == ("1" if visit.out_of_window else "0")
    summary = session_summaries([visit.participant_id]).get(visit.participant_id)
    if summary:
        assert int(row["sessions_attended"]) == summary.attended
    randomised = Participant.objects.filter(randomized_on__isnull=False).first()
    assert wide.loc[randomised.study_id, "in_itt"] == "1"
    assert wide.loc[Participant.objects.filter(randomized_on=None).first().study_id,
                    "in_itt"] == "0"  # fmt: skip
    for person in Participant.objects.all():  # interview invitations, as stored
        row = wide.loc[person.study_id]
        assert row["pre_interview_invited"] == ("1" if person.invited_pre_interview else "0")
        assert row["post_interview_invited"] == ("1" if person.invited_post_interview else "0")
    odi = InstrumentResponse.objects.filter(instrument="odi", visit_code="baseline").first()
    assert wide.loc[odi.participant.study_id, "baseline__odi_verification"] == odi.verification
    entry = PainEntry.objects.select_related("participant").first()
    if entry and entry.participant.randomized_on:
        week = (entry.recorded_at.date() - entry.participant.randomized_on).days // 7 + 1
        if 1 <= week <= 16:
            assert int(wide.loc[entry.participant.study_id, f"mmp_week_{week:02d}_ratings"]) >= 1
