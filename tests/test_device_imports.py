"""Device and app imports as a coordinator meets them: preview, commit, the same file twice, an
overlapping export, a malformed file reported by line with nothing saved; MedX units; weekly pain
and the missing weeks on the worklist; a .cwa upload scored into nights and a plot."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo

import pytest
from django.core.files.base import File
from django.test import Client

from outcomes.actigraphy.synthetic import planned_week, week_accel, write_cwa
from outcomes.devices.actigraphy import preview_cwa, score_recording
from outcomes.devices.selectors import weekly_pain_of
from outcomes.imports.service import ImportRefused, commit_import, preview_import
from outcomes.models import (
    ActigraphyRecording,
    DeviceImport,
    DynamoTest,
    ImportKind,
    MedxTest,
    PainEntry,
    ProcessingStatus,
)
from tests.journey import wear_start
from trial.models import AuditEntry, Participant
from trial.selectors.worklists import ItemKind, coordinator_items

pytestmark = pytest.mark.django_db

HEADER = (
    "Study ID,Visit,Date,Test Type,Movement,Side,Peak Force (N),Lever Arm (m),Body Mass (kg),"
    "ROM (deg)"
)


def _participant() -> Participant:
    return Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()


def _dynamo_csv(study_id: str, *rows: str) -> bytes:
    return "\n".join([HEADER, *(r.format(s=study_id) for r in rows)]).encode()


def test_dynamo_preview_commit_and_idempotence(role_users) -> None:
    user, p = role_users["coordinator"], _participant()
    before = DynamoTest.objects.count()
    data = _dynamo_csv(
        p.study_id,
        "{s},week16,2026-05-04 10:30,Strength,Hip Extension,Left,250,0.40,80,",
        "{s},week16,2026-05-04 10:45,Range of Motion,Hip Flexion,Right,,,,110",
    )
    upload = preview_import(ImportKind.DYNAMO, "a.csv", data, user)
    assert upload.status == "previewed" and upload.report["new"] == 2
    assert DynamoTest.objects.count() == before  # a preview saves no result
    commit_import(upload, user)
    strength = DynamoTest.objects.get(participant=p, visit_code="week16", category="strength")
    assert strength.torque_nm == pytest.approx(100.0)  # 250 N x 0.40 m
    assert strength.torque_per_kg == pytest.approx(1.25)
    assert DynamoTest.objects.get(participant=p, visit_code="week16", category="rom").rom_deg == 110
    assert AuditEntry.objects.filter(object_type="outcomes.DynamoTest", subject=p.study_id).exists()
    with pytest.raises(ImportRefused, match="already imported"):
        preview_import(ImportKind.DYNAMO, "a-again.csv", data, user)
    overlapping = (
        data
        + b"\n"
        + _dynamo_csv(
            p.study_id, "{s},week16,2026-05-04 11:00,Strength,Hip Abduction,Right,180,0.40,80,"
        ).split(b"\n", 1)[1]
    )
    second = preview_import(ImportKind.DYNAMO, "b.csv", overlapping, user)
    assert (second.report["new"], second.report["duplicates"]) == (1, 2)
    commit_import(second, user)
    assert DynamoTest.objects.count() == before + 3


def test_a_malformed_dynamo_file_is_reported_by_line_and_saves_nothing(role_users) -> None:
    user, p = role_users["coordinator"], _participant()
    before = DynamoTest.objects.count()
    data = _dynamo_csv(
        p.study_id,
        "{s},week16,2026-05-04 10:30,Strength,Hip Extension,Left,250,0.40,80,",
        "{s},week16,2026-05-04 10:31,Strength,Hip Extension,Middle,250,0.40,80,",
        "{s},week16,04/05/2026,Strength,Hip Extension,Left,250,0.40,80,",
        "{s},week16,2026-05-04 10:33,Strength,Hip Extension,Left,lots,0.40,80,",
        "SB-9999,week16,2026-05-04 10:34,Strength,Hip Extension,Left,250,0.40,80,",
    )
    upload = preview_import(ImportKind.DYNAMO, "bad.csv", data, user)
    assert upload.status == "rejected"
    errors = dict((line, message) for line, message in upload.report["errors"])
    assert set(errors) == {3, 4, 5, 6}
    assert "Middle" in errors[3] and "format" in errors[4] and "not a number" in errors[5]
    assert "not enrolled" in errors[6]
    with pytest.raises(ImportRefused):
        commit_import(upload, user)
    assert DynamoTest.objects.count() == before
    missing = preview_import(ImportKind.DYNAMO, "cols.csv", b"Study ID,Visit\nx,baseline", user)
    assert "missing from the header" in missing.report["errors"][0][1]


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_is_refused_by_line_in_both_imports(
    role_users, value: str
) -> None:
    """``float()`` reads "NaN" and "inf", and NaN passes every range check: it would be stored
    and reach the exports as a measurement."""
    user, p = role_users["coordinator"], _participant()
    dynamo_before, pain_before = DynamoTest.objects.count(), PainEntry.objects.count()
    data = _dynamo_csv(
        p.study_id,
        "{s},week16,2026-05-04 10:30,Strength,Hip Extension,Left,250,0.40,80,",
        f"{{s}},week16,2026-05-04 10:31,Strength,Hip Extension,Left,{value},0.40,80,",
        f"{{s}},week16,2026-05-04 10:32,Strength,Hip Extension,Left,250,0.40,{value},",
    )
    upload = preview_import(ImportKind.DYNAMO, "nan.csv", data, user)
    assert upload.status == "rejected"
    errors = dict(upload.report["errors"])
    assert set(errors) == {3, 4}
    assert f"Peak force {value!r} is not a finite number" in errors[3], errors
    assert f"Body mass {value!r} is not a finite number" in errors[4], errors
    pain = f"Enrolment Code,Date,Pain Severity\nX-1,2026-05-04 10:30,{value}\n".encode()
    upload = preview_import(ImportKind.MMP, "nan.csv", pain, user)
    assert upload.status == "rejected"
    assert upload.report["errors"] == [[2, f"Pain severity {value!r} is not a finite number."]]
    assert (DynamoTest.objects.count(), PainEntry.objects.count()) == (dynamo_before, pain_before)


def test_manage_my_pain_weekly_means_and_missing_weeks_on_the_worklist(role_users) -> None:
    user, p = role_users["coordinator"], _participant()
    code = p.app_enrolment.code  # issued by the demo
    start = p.randomized_on
    rows = [
        f"{code},{start + dt.timedelta(days=8)} 08:00,6,Lower back,",
        f"{code},{start + dt.timedelta(days=9)} 20:15,4,Lower back,after walk",
        f"{code},{start + dt.timedelta(days=9)} 20:15,4,Lower back,after walk",  # repeated row
    ]
    data = "\n".join(["Enrolment Code,Date,Pain Severity,Locations,Notes", *rows]).encode()
    upload = preview_import(ImportKind.MMP, "mmp.csv", data, user)
    assert upload.status == "previewed" and upload.report["duplicates"] >= 1
    commit_import(upload, user)
    entry = PainEntry.objects.filter(participant=p, details__Notes="after walk").get()
    assert entry.details == {"Locations": "Lower back", "Notes": "after walk"}
    week2 = weekly_pain_of(p)[1]
    week2_entries = PainEntry.objects.filter(
        participant=p,
        recorded_at__date__gte=start + dt.timedelta(days=7),
        recorded_at__date__lt=start + dt.timedelta(days=14),
    )
    assert week2.entries == week2_entries.count() >= 2
    assert week2.mean == pytest.approx(
        round(sum(e.severity for e in week2_entries) / week2.entries, 2)
    )
    awaited = [
        i
        for i in coordinator_items(user, start + dt.timedelta(days=40))
        if i.kind is ItemKind.APP_AWAITED and i.journey.participant == p
    ]
    assert awaited and "week" in awaited[0].what  # the demo leaves week 3 empty


def test_medx_page_stores_newton_metres_and_draws_both_visits(client_for) -> None:
    p = _participant()
    client = client_for("assessor")
    page = f"/participants/{p.study_id}/visits/week16/medx/"
    form = {
        "tested_on": "2026-05-04",
        "unit_entered": "ft·lb",
        "counterweight": "40",
        "gravity_torque_nm": "30",
        "gravity_corrected": "on",
        "rom_flexion_deg": "72",
        "rom_extension_deg": "0",
        **{
            f"printed_{a}": str(v)
            for a, v in zip(
                (72, 60, 48, 36, 24, 12, 0), (250, 240, 220, 200, 180, 160, 140), strict=True
            )
        },
    }
    response = client.post(page, form)
    assert response.status_code == 302
    test = MedxTest.objects.get(participant=p, visit_code="week16")
    assert test.torque_72 == pytest.approx(250 * 1.35582, abs=0.01)
    assert test.peak_torque_nm == pytest.approx(338.96, abs=0.01)
    assert test.as_printed["72"] == 250 and test.gravity_torque_nm == pytest.approx(40.67, abs=0.01)
    assert test.strength_index == pytest.approx(
        sum(
            12 * (a + b) / 2
            for a, b in zip(
                [140, 160, 180, 200, 220, 240], [160, 180, 200, 220, 240, 250], strict=True
            )
        )
        * 1.35582,
        rel=1e-3,
    )
    body = client.get(page).content.decode()
    assert body.count("data-series=") == 2  # baseline (demo) and week 16
    form["printed_36"] = "-5"
    assert client.post(page, form).status_code == 200  # refused: torque >= 0
    form["printed_36"], form["rom_flexion_deg"] = "200", "48"
    response = client.post(page, form)
    assert b"outside the range of motion" in response.content


def test_cwa_upload_preview_commit_and_scoring(
    client_for, tmp_path, django_capture_on_commit_callbacks
) -> None:
    p = _participant()
    client: Client = client_for("coordinator")
    start = wear_start(p, "week16")
    plan = planned_week(start.date(), nights=3)
    path = tmp_path / "three-nights.cwa"
    write_cwa(path, week_accel(start, 3.1, 12.5, plan), start, fs=12.5)
    page = f"/participants/{p.study_id}/visits/week16/actigraphy/"
    with path.open("rb") as handle:
        response = client.post(page, {"action": "upload", "cwa-file": handle})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert b"AX3 #12345" in preview.content
    assert f"{start:%Y-%m-%d %H:%M}".encode() in preview.content
    stored, data = DeviceImport.objects.get(kind="cwa", participant=p), path.read_bytes()
    assert len(data) > 2_621_440  # over Django's in-memory limit: the upload came as a temp file
    with stored.file.open("rb") as kept:  # hashed and stored in chunks, byte for byte
        assert kept.read() == data
    assert (stored.sha256, stored.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert not ActigraphyRecording.objects.filter(participant=p, visit_code="week16").exists()
    with django_capture_on_commit_callbacks() as sending:  # held back: sent after the commit
        response = client.post(response["Location"])
    recording = ActigraphyRecording.objects.get(participant=p, visit_code="week16")
    assert recording.status == ProcessingStatus.QUEUED  # the worker scores it
    assert recording.source.status == "queuing"  # "imported" only once the task is sent
    assert score_recording(recording.pk).status == ProcessingStatus.DONE
    for send in sending:
        send()
    assert DeviceImport.objects.get(pk=recording.source_id).status == "imported"
    body = client.get(page).content.decode()
    assert 'data-testid="sleep-plot"' in body and body.count("<tr data-night=") == 5
    nights = {n.night: n for n in recording.nights.all()}  # no diary: HDCZA guides
    for planned in plan:
        night = nights[planned.into_bed.date()]
        assert night.guider == "HDCZA" and night.sleep_onset is not None
        local = night.sleep_onset.astimezone(zoneinfo.ZoneInfo(recording.time_zone))
        assert abs(local.replace(tzinfo=None) - planned.sleep) <= dt.timedelta(minutes=5)
    with path.open("rb") as handle:  # the same file again is refused, nothing duplicated
        again = client.post(page, {"action": "upload", "cwa-file": handle})
    assert "already imported" in again.content.decode()
    assert DeviceImport.objects.filter(kind="cwa", status="imported", participant=p).count() == 1
    not_cwa = tmp_path / "notes.cwa"
    not_cwa.write_bytes(b"hello" * 400)
    with not_cwa.open("rb") as handle:  # refused on the upload page, nothing kept
        response = client.post(page, {"action": "upload", "cwa-file": handle})
    assert response.status_code == 200 and b"Not a .cwa file" in response.content
    assert not DeviceImport.objects.filter(kind="cwa", filename="notes.cwa").exists()


class _ChunksOnly(File):
    """An upload that may be read only in chunks: reading it whole fails the test."""

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size > 0, "the whole upload was read into memory"
        return super().read(size)


def test_a_cwa_preview_reads_the_upload_only_in_chunks(role_users, tmp_path) -> None:
    p = _participant()
    start = wear_start(p, "week16")
    path = tmp_path / "week.cwa"
    write_cwa(path, week_accel(start, 1.1, 12.5, planned_week(start.date(), 1)), start, fs=12.5)
    with path.open("rb") as handle:
        upload = preview_cwa(
            p, "week16", _ChunksOnly(handle, name="week.cwa"), role_users["coordinator"]
        )
    with upload.file.open("rb") as kept:
        assert kept.read() == path.read_bytes()


def test_a_diary_saved_after_scoring_queues_a_rescore_guided_by_it(client_for, tmp_path) -> None:
    p = _participant()
    client: Client = client_for("coordinator")
    start = wear_start(p, "week16")
    plan = planned_week(start.date(), nights=2)
    path = tmp_path / "two-nights.cwa"
    write_cwa(path, week_accel(start, 2.1, 12.5, plan), start, fs=12.5)
    page = f"/participants/{p.study_id}/visits/week16/actigraphy/"
    with path.open("rb") as handle:
        preview = client.post(page, {"action": "upload", "cwa-file": handle})["Location"]
    client.post(preview)
    recording = ActigraphyRecording.objects.get(participant=p, visit_code="week16")
    score_recording(recording.pk)
    night = plan[0]
    nights_before = recording.nights.count()
    assert recording.nights.get(night=night.into_bed.date()).guider == "HDCZA"
    form = {
        "action": "diary",
        "diary-TOTAL_FORMS": "7",
        "diary-INITIAL_FORMS": "0",
        "diary-MIN_NUM_FORMS": "0",
        "diary-MAX_NUM_FORMS": "7",
        "diary-0-night": f"{night.into_bed:%Y-%m-%d}",
        "diary-0-into_bed": f"{night.into_bed:%H:%M}",
        "diary-0-out_of_bed": f"{night.out_of_bed:%H:%M}",
    }
    assert client.post(page, form).status_code == 302
    recording.refresh_from_db()
    assert recording.status == ProcessingStatus.QUEUED  # the diary changed: scored again
    score_recording(recording.pk)
    assert recording.nights.count() == nights_before  # replaced, not duplicated
    rescored = recording.nights.get(night=night.into_bed.date())
    assert rescored.guider == "sleeplog" and rescored.tib_min == 510


@pytest.mark.django_db
def test_a_site_adds_an_import_layout_on_its_page_and_imports_with_it(
    role_users: dict, client_for
) -> None:
    """Import layouts have a page: the coordinator adds a semicolon layout with other column
    names, makes it the default, and a file in that format imports."""
    from outcomes.models import DynamoTest, ImportProfile

    client = client_for("coordinator")
    upload_page = client.get("/imports/dynamo/").content.decode()
    assert 'href="/imports/dynamo/layouts/"' in upload_page
    assert "STRONG-BACK DynaMo layout v1" in client.get("/imports/dynamo/layouts/").content.decode()
    names = {"study_id": "ID", "visit": "Timepoint", "tested_at": "When", "category": "Type",
             "movement": "Test", "side": "Side", "peak_force_n": "Force", "lever_arm_m": "Arm",
             "body_mass_kg": "Mass", "rom_deg": "ROM"}  # fmt: skip
    post = {f"col_{k}": v for k, v in names.items()}
    post.update(name="Clinic B export", delimiter=";", datetime_format="%d/%m/%Y %H:%M",
                is_default="on", reason="clinic B exports with semicolons")  # fmt: skip
    assert client.post("/imports/dynamo/layouts/", post).status_code == 302
    layout = ImportProfile.objects.get(kind="dynamo", name="Clinic B export")
    assert layout.is_default and layout.columns["study_id"] == "ID"
    assert ImportProfile.objects.filter(kind="dynamo", is_default=True).count() == 1

    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    before = DynamoTest.objects.count()
    csv = ("ID;Timepoint;When;Type;Test;Side;Force;Arm;Mass;ROM\n"
           f"{participant.study_id};week16;02/11/2026 10:30;Strength;Hip Extension;Left;"
           "210;0.42;70;\n")  # fmt: skip
    from outcomes.imports.service import commit_import, preview_import

    upload = preview_import("dynamo", "clinic-b.csv", csv.encode(), role_users["coordinator"])
    assert upload.status == "previewed", upload.report
    commit_import(upload, role_users["coordinator"])
    assert DynamoTest.objects.count() == before + 1
