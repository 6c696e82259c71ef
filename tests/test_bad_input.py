"""Bad input to every text upload and import: no server error, a message that names the problem,
nothing saved and no file left behind (issue 25's red-team cases and more)."""

from __future__ import annotations

import datetime as dt
import gzip
import html
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from outcomes.models import DeviceImport
from randomization.models import AllocationList

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path) -> None:
    """A media folder of this test's own, so "no file left behind" counts only its files."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _png() -> bytes:
    raw = b"\x00\xff\x81\x8d\x90" * 20
    chunk = b"IDAT" + zlib.compress(raw)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(chunk) - 4) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))  # fmt: skip


DYNAMO_HEADER = (
    "Study ID,Visit,Date,Test Type,Movement,Side,Peak Force (N),Lever Arm (m),Body Mass (kg),"
    "ROM (deg)\n"
)
CSV_CASES = {
    "zero bytes": (b"", "empty"),
    "NUL in a text cell": (
        (
            DYNAMO_HEADER + "SB-001,baseline,2026-11-02 10:30,Strength,Hip\x00Extension,Left,"
            "200,0.42,70,\n"
        ).encode(),
        "NUL",
    ),
    "a PNG named .csv": (_png(), "not text"),
    "gzip bytes": (gzip.compress(b"x" * 1000), "not text"),
    "control character": ((DYNAMO_HEADER + "SB-001\x07,baseline\n").encode(), "control character"),
}


def _files() -> int:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return sum(len(files) for _d, _s, files in os.walk(root)) if root.exists() else 0


@pytest.mark.parametrize("kind", ["dynamo", "mmp"])
@pytest.mark.parametrize("case", list(CSV_CASES))
def test_csv_imports_refuse_bad_files_with_a_message(kind: str, case: str, client_for) -> None:
    data, words = CSV_CASES[case]
    client = client_for("coordinator")
    before, files = DeviceImport.objects.count(), _files()
    from outcomes.imports.service import default_profile

    upload = SimpleUploadedFile(f"{case}.csv", data, "text/csv")
    response = client.post(
        f"/imports/{kind}/", {"file": upload, "profile": default_profile(kind).pk}
    )
    assert response.status_code == 200, response.status_code
    assert words.lower() in response.content.decode().lower(), response.content.decode()[-3000:]
    assert DeviceImport.objects.count() == before
    assert _files() == files


NON_FINITE_ROWS = {
    "dynamo": DYNAMO_HEADER
    + "{s},week16,2026-05-04 10:30,Strength,Hip Extension,Left,{v},0.4,80,\n",
    "mmp": "Enrolment Code,Date,Pain Severity\n{s},2026-05-04 10:30,{v}\n",
}


@pytest.mark.parametrize("kind", list(NON_FINITE_ROWS))
@pytest.mark.parametrize("value", ["NaN", "-inf"])
def test_csv_imports_refuse_numbers_that_are_not_finite(kind: str, value: str, client_for) -> None:
    """A number cell of NaN or infinity: the preview names the line and the cell, and nothing
    can be committed (the refused preview is kept with its errors, as for any row error)."""
    from outcomes.imports.service import default_profile
    from outcomes.models import DynamoTest, PainEntry
    from trial.models import Participant

    study_id = Participant.objects.order_by("pk").values_list("study_id", flat=True).first()
    data = NON_FINITE_ROWS[kind].format(s=study_id, v=value).encode()
    before = DynamoTest.objects.count(), PainEntry.objects.count()
    response = client_for("coordinator").post(
        f"/imports/{kind}/",
        {
            "file": SimpleUploadedFile("n.csv", data, "text/csv"),
            "profile": default_profile(kind).pk,
        },
        follow=True,  # to the preview page
    )
    assert response.status_code == 200, response.status_code
    assert f"{value!r} is not a finite number" in html.unescape(response.content.decode())
    assert DeviceImport.objects.latest("pk").status == "rejected"
    assert (DynamoTest.objects.count(), PainEntry.objects.count()) == before


def test_a_csv_import_over_its_size_limit_is_refused_naming_the_limit(client_for, settings) -> None:
    from outcomes.devices import forms

    settings.DEBUG = False
    limit = forms.MAX_CSV_BYTES
    big = SimpleUploadedFile("big.csv", DYNAMO_HEADER.encode() + b"x" * (limit + 1), "text/csv")
    before = DeviceImport.objects.count()
    response = client_for("coordinator").post("/imports/dynamo/", {"file": big})
    assert response.status_code == 200
    assert f"{limit // 2**20} MB" in response.content.decode()
    assert DeviceImport.objects.count() == before


@pytest.mark.parametrize(
    ("case", "data", "words"),
    [
        ("Latin-1 text", "study,é\n".encode("latin-1"), "not UTF-8"),
        ("a PNG", _png(), "not UTF-8"),
        ("zero bytes", b"", "empty"),
        ("NUL", b"stratum,block\x00,position\n", "NUL"),
    ],
)
def test_allocation_list_refuses_bad_files(case: str, data: bytes, words: str, client_for) -> None:
    before = AllocationList.objects.count()
    response = client_for("statistician").post(
        "/randomisation/lists/",
        {"file": SimpleUploadedFile("list.csv", data), "name": case, "environment": "test"},
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    assert AllocationList.objects.count() == before


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _lying_zip() -> bytes:
    """One member that inflates to 8 MB while both its headers claim 100 bytes."""
    data = bytearray(_zip({"IM0001": b"\0" * (8 << 20)}))
    real = struct.pack("<I", 8 << 20)
    for offset in [i for i in range(len(data) - 3) if data[i : i + 4] == real]:
        data[offset : offset + 4] = struct.pack("<I", 100)
    return bytes(data)


ZIP_CASES = {
    "a header that lies about the size": (_lying_zip(), "the zip is damaged"),
    "truncated": (_zip({"IM0001": os.urandom(5000)})[:-40], "not a zip file"),
    "a zip inside the zip": (_zip({"inner.zip": _zip({"IM1": b"x"})}), "no DICOM image"),
    "path traversal names": (_zip({"../../etc/passwd": b"root"}), "no DICOM image"),
    "not a zip at all": (b"%PDF-1.4 not a zip", "not a zip file"),
}


def _refused_mri_upload(kind: str, name: str, data: bytes, client_for) -> str:
    """Post an MRI upload that must be refused: answered on the page (200), which is returned,
    with no study created and no file left behind."""
    from imaging.models import ImagingStudy
    from trial.models import Participant

    participant = Participant.objects.order_by("pk").first()
    before, files = ImagingStudy.objects.count(), _files()
    response = client_for("coordinator").post(
        f"/participants/{participant.study_id}/visits/baseline/mri/",
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 200, response.status_code
    assert ImagingStudy.objects.count() == before
    assert _files() == files
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("case", list(ZIP_CASES))
def test_mri_zip_uploads_refuse_bad_archives(case: str, client_for) -> None:
    data, words = ZIP_CASES[case]
    page = _refused_mri_upload("dicom", "study.zip", data, client_for)
    assert words in page, page[-2500:]


# Binary uploads that are not what their extension says (or nothing at all).
BINARY_CASES = {
    "zero bytes": b"",
    "a PNG with the right extension": _png(),
    "truncated gzip": gzip.compress(os.urandom(3000))[:-100],
    "gzip of text": gzip.compress(b"hello"),
    "random bytes": os.urandom(4000),
}
EMPTY = "The submitted file is empty."


@pytest.mark.parametrize("case", list(BINARY_CASES))
def test_actigraphy_uploads_refuse_what_is_not_a_cwa_file(case: str, client_for) -> None:
    """Refused on the upload page, naming the problem; no import row and no stored file (a
    refused file used to be kept with a rejected preview)."""
    from trial.models import Participant

    data = BINARY_CASES[case]
    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    before, files = DeviceImport.objects.count(), _files()
    response = client_for("coordinator").post(
        f"/participants/{participant.study_id}/visits/baseline/actigraphy/",
        {"action": "upload", "cwa-file": SimpleUploadedFile("week.cwa", data)},
    )
    assert response.status_code == 200, response.status_code
    page = html.unescape(response.content.decode())
    assert (EMPTY if not data else "Not a .cwa file") in page, page[-2500:]
    assert DeviceImport.objects.count() == before
    assert _files() == files


def test_a_cwa_preview_that_fails_after_storing_leaves_no_file(monkeypatch, tmp_path) -> None:
    """Any failure once the file is stored (not only a bad header) rolls the row back, and the
    stored file, which no transaction covers, goes with it."""
    from outcomes.actigraphy.synthetic import write_cwa
    from outcomes.devices import actigraphy
    from trial.models import Participant, User

    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    path = tmp_path / "week.cwa"
    write_cwa(path, np.zeros((1200, 3), dtype=np.float32), dt.datetime(2026, 3, 2, 12), fs=12.5)

    def broken(*_args: object) -> list[str]:
        raise RuntimeError("the plausibility check failed")

    monkeypatch.setattr(actigraphy, "_implausible", broken)
    before, files = DeviceImport.objects.count(), _files()
    with pytest.raises(RuntimeError, match="plausibility"):
        actigraphy.preview_cwa(
            participant,
            "baseline",
            SimpleUploadedFile("week.cwa", path.read_bytes()),
            User.objects.first(),
        )
    assert DeviceImport.objects.count() == before
    assert _files() == files


@pytest.mark.parametrize("case", list(BINARY_CASES))
def test_nifti_uploads_refuse_what_is_not_nifti(case: str, client_for) -> None:
    data = BINARY_CASES[case]
    page = _refused_mri_upload("nifti", "image.nii.gz", data, client_for)
    assert (EMPTY if not data else "image.nii.gz: not a readable NIfTI file") in page, page[-2500:]
