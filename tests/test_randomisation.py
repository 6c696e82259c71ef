"""Allocation lists (import, validation, sealing, test vs production, lock) and the randomise
service's refusals."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from randomization.exceptions import NoAllocationList, StratumExhausted
from randomization.importing import InvalidAllocationList, extend_list, import_list, parse, validate
from randomization.listfile import to_csv
from randomization.models import AllocationList, AllocationSlot, Environment
from randomization.sequence import AllocationRow, generate
from randomization.services import randomise
from tests.journey import TODAY, enrolled, with_baseline
from trial.models import AuditEntry

pytestmark = pytest.mark.django_db
STRATA, ARMS = ["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"]


def _csv(per_stratum: int = 8, seed: object = 1) -> bytes:
    return to_csv(generate(STRATA, ARMS, [2, 4], per_stratum, seed))


def _ready(role_users: dict, lsiq_yes: int = 10):
    return with_baseline(
        enrolled(role_users["coordinator"]), role_users["coordinator"], lsiq_yes, TODAY
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"stratum,position,arm\n", "Columns must be"),
        (
            b"stratum,position,block_number,block_size,arm\nLSIQ_MID,1,1,2,MC_ILEX\n",
            "Unknown stratum",
        ),
        (b"stratum,position,block_number,block_size,arm\nLSIQ_LOW,1,1,2,YOGA\n", "unknown arm"),
        (
            b"stratum,position,block_number,block_size,arm\nLSIQ_LOW,1,1,2,MC_ILEX\n"
            b"LSIQ_LOW,3,1,2,FREE_WEIGHT\n",
            "without gaps",
        ),
        (
            b"stratum,position,block_number,block_size,arm\nLSIQ_LOW,1,1,2,MC_ILEX\n"
            b"LSIQ_LOW,2,1,2,MC_ILEX\nLSIQ_LOW,3,2,2,MC_ILEX\nLSIQ_LOW,4,2,2,FREE_WEIGHT\n",
            "not balanced",
        ),
    ],
)
def test_invalid_lists_are_refused_with_the_reason(content: bytes, message: str) -> None:
    with pytest.raises(InvalidAllocationList, match=message):
        validate(parse(content))


def test_refusal_messages_never_name_an_arm() -> None:
    content = (
        b"stratum,position,block_number,block_size,arm\nLSIQ_LOW,1,1,2,MC_ILEX\n"
        b"LSIQ_LOW,2,1,2,MC_ILEX\nLSIQ_LOW,3,2,2,FREE_WEIGHT\nLSIQ_LOW,4,2,2,FREE_WEIGHT\n"
    )
    with pytest.raises(InvalidAllocationList) as refusal:
        validate(parse(content))
    assert "MC_ILEX" not in str(refusal.value) and "FREE_WEIGHT" not in str(refusal.value)


def test_arm_is_encrypted_at_rest_and_sealed_in_the_trail(role_users) -> None:
    imported = import_list(_csv(), "t", Environment.TEST, role_users["statistician"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT arm FROM randomization_allocationslot WHERE allocation_list_id = %s",
            [imported.pk],
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any(arm in value for value in stored for arm in ARMS)
    trail = AuditEntry.objects.filter(object_type="randomization.AllocationSlot", field="arm")
    assert set(trail.values_list("new_value", flat=True)) == {"<sealed>"}


def test_import_command_checks_the_sha256_file(role_users, tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    call_command(
        "generate_allocation_list",
        "--seed=s3",
        "--block-sizes=2,4",
        "--per-stratum=6",
        f"--out={out}",
    )
    call_command("import_allocation_list", str(out), environment="test", imported_by="statistician")
    assert AllocationList.objects.get(environment="test").slots.count() == 12
    tampered = tmp_path / "tampered.csv"
    tampered.write_bytes(out.read_bytes().replace(b"MC_ILEX", b"FREE_WEIGHT", 1))
    (tmp_path / "tampered.csv.sha256").write_text((tmp_path / "list.csv.sha256").read_text())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("import_allocation_list", str(tampered), imported_by="statistician")


def test_statistician_uploads_a_list_and_sees_counts_not_arms(client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("statistician")
    upload = SimpleUploadedFile("list.csv", _csv(6, "upload"), content_type="text/csv")
    response = client.post(
        "/randomisation/lists/", {"file": upload, "environment": "test", "name": "pilot"}
    )
    assert response.status_code == 302
    page = client.get("/randomisation/lists/").content.decode()
    assert "pilot" in page and "Imported 12 sealed slots" in page
    assert "MC_ILEX" not in page and "FREE_WEIGHT" not in page
    bad = SimpleUploadedFile("bad.csv", b"stratum,arm\n", content_type="text/csv")
    refused = client.post(
        "/randomisation/lists/", {"file": bad, "environment": "test", "name": "x"}
    )
    assert refused.status_code == 200 and "Columns must be" in refused.content.decode()


def test_test_randomisations_never_consume_production_slots(role_users) -> None:
    import_list(_csv(4, "t"), "training", Environment.TEST, role_users["statistician"])
    production_free = AllocationSlot.objects.filter(
        allocation_list__environment="production", participant__isnull=True
    ).count()
    slot = randomise(_ready(role_users), role_users["therapist"], environment=Environment.TEST)
    assert slot.allocation_list.environment == "test"
    assert (
        production_free
        == AllocationSlot.objects.filter(
            allocation_list__environment="production", participant__isnull=True
        ).count()
    )


def test_first_production_randomisation_locks_the_list_and_extending_needs_a_reason(
    role_users, tmp_path: Path
) -> None:
    production = AllocationList.objects.get(environment="production")
    assert production.locked_at is not None  # the demo randomised people already
    extra = to_csv(
        [
            AllocationRow("LSIQ_LOW", 61, 99, 2, "MC_ILEX"),
            AllocationRow("LSIQ_LOW", 62, 99, 2, "FREE_WEIGHT"),
        ]
    )
    with pytest.raises(InvalidAllocationList, match="needs a reason"):
        extend_list(production, extra, "")
    assert extend_list(production, extra, "stratum LSIQ_LOW running out (PI approval 12)") == 2
    more = tmp_path / "more.csv"
    more.write_bytes(
        to_csv(
            [
                AllocationRow("LSIQ_LOW", 63, 100, 2, "FREE_WEIGHT"),
                AllocationRow("LSIQ_LOW", 64, 100, 2, "MC_ILEX"),
            ]
        )
    )
    args = [str(more), f"--append-to={production.sha256[:12]}", "--imported-by=pi"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="needs a reason"):
        call_command("import_allocation_list", *args)
    call_command("import_allocation_list", *args, "--reason=second extension, PI approval 13")
    assert production.slots.filter(stratum="LSIQ_LOW").count() == 64
    assert AuditEntry.objects.filter(reason__startswith="stratum LSIQ_LOW running out").exists()


def test_stratum_exhausted_and_no_list(role_users) -> None:
    with pytest.raises(NoAllocationList):
        randomise(_ready(role_users), role_users["therapist"], environment=Environment.TEST)
    import_list(
        to_csv(
            [
                AllocationRow("LSIQ_LOW", 1, 1, 2, "MC_ILEX"),
                AllocationRow("LSIQ_LOW", 2, 1, 2, "FREE_WEIGHT"),
            ]
        ),
        "tiny",
        Environment.TEST,
        role_users["statistician"],
    )
    with pytest.raises(StratumExhausted, match="no slot left for this participant"):
        randomise(_ready(role_users, 12), role_users["therapist"], environment=Environment.TEST)


def test_system_checks_refuse_an_unknown_environment_and_a_missing_production_list(
    role_users,
) -> None:
    with override_settings(RANDOMISATION_ENVIRONMENT="staging"):
        assert "randomization.E001" in {e.id for e in run_checks()}
    with override_settings(RANDOMISATION_ENVIRONMENT="production"):
        ids = {e.id for e in run_checks(databases=["default"])}
        assert "randomization.E002" not in ids  # the demo list is a production list
    with override_settings(RANDOMISATION_ENVIRONMENT="production"), connection.cursor() as cursor:
        cursor.execute("UPDATE randomization_allocationlist SET environment = 'test'")
        assert "randomization.E002" in {e.id for e in run_checks(databases=["default"])}
    with override_settings(RANDOMISATION_ENVIRONMENT="test"):
        assert "randomization.E002" not in {e.id for e in run_checks(databases=["default"])}


def test_migrate_on_an_empty_database_passes_the_checks(tmp_path: Path) -> None:
    """``migrate`` runs database checks before any table exists; they must not crash it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "strongback.settings.demo"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_randomise_is_idempotent_and_records_who_and_when(role_users) -> None:
    participant = _ready(role_users)
    first = randomise(participant, role_users["therapist"], on=TODAY + dt.timedelta(days=4))
    again = randomise(participant, role_users["therapist"])
    assert first.pk == again.pk and first.assigned_by == role_users["therapist"]
    assert first.assigned_at.tzinfo is not None


def test_generate_command_runs_as_a_script(tmp_path: Path) -> None:
    out = tmp_path / "l.csv"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "generate_allocation_list",
            "--seed",
            "9",
            "--block-sizes",
            "2,4,6",
            "--per-stratum",
            "12",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "SHA-256" in result.stdout and out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        ("stratum,position\nLSIQ_LOW,é".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not UTF-8"),
        (
            b"stratum,position,block_number,block_size,arm\nLSIQ\x00_LOW,1,1,2,MC_ILEX\n",
            "Line 2: a NUL character",
        ),
    ],
    ids=["binary", "latin-1", "png named csv", "nul"],
)
def test_a_list_that_is_not_csv_text_is_refused_by_name(content: bytes, message: str) -> None:
    with pytest.raises(InvalidAllocationList, match=message):
        parse(content)
