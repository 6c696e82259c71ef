"""A real Orthanc (Debian package + DICOMweb plugin) and a real Celery worker on Redis: a study
uploaded to the PACS is found by the change feed, pulled by DICOMweb, pseudonymised, the right
series measured into PostgreSQL, and a SEG stored back in the PACS."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from imaging.models import ImagingAppointment, ImagingStudy, MuscleMetric, StudyStatus
from imaging.tasks import poll_orthanc
from tests.conftest import in_ci
from tests.imaging_study import (
    ACCESSION,
    AXIAL_DESCRIPTION,
    PATIENT_ID,
    build_study,
    reference_masks_folder,
)
from tests.test_worker import start_worker
from trial.models import Participant

ORTHANC = "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def orthanc(tmp_path: Path) -> Iterator[str]:
    """Orthanc on a loopback port with its own storage; DICOMweb enabled, stable after 2 s."""
    if not (os.path.exists(ORTHANC) and os.path.exists(DICOMWEB_PLUGIN)):
        if in_ci():
            pytest.fail("CI=true but orthanc / orthanc-dicomweb are not installed")
        pytest.skip("needs the Debian packages orthanc and orthanc-dicomweb")
    port = _free_port()
    config = tmp_path / "orthanc.json"
    config.write_text(json.dumps({
        "Name": "strongback-test", "HttpPort": port, "DicomPort": _free_port(),
        "StorageDirectory": str(tmp_path / "db"), "IndexDirectory": str(tmp_path / "db"),
        "RemoteAccessAllowed": False, "AuthenticationEnabled": False, "StableAge": 2,
        "Plugins": [DICOMWEB_PLUGIN], "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
    }))  # fmt: skip
    process = subprocess.Popen([ORTHANC, str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/system", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("Orthanc did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_pacs_study_is_pulled_selected_measured_and_a_seg_stored_back(
    orthanc: str, tmp_path: Path, shared_data: Callable[[str], Path], role_users: dict,
    settings, monkeypatch,
) -> None:  # fmt: skip
    files = build_study(tmp_path / "study", shared_data)
    for path in [p for kind in files.values() for p in kind]:
        assert requests.post(f"{orthanc}/instances", data=path.read_bytes(), timeout=30).ok
    participant = Participant.objects.order_by("pk").first()
    ImagingAppointment(participant=participant, visit_code="baseline",
                       pacs_patient_id=PATIENT_ID, accession_number=ACCESSION).save()  # fmt: skip
    masks = reference_masks_folder(tmp_path / "masks", shared_data)
    queue = f"imaging-{uuid.uuid4().hex[:8]}"
    environment = {
        "ORTHANC_URL": orthanc, "IMAGING_REFERENCE_MASKS_DIR": str(masks),
        "IMAGING_SEGMENTER": "reference",
        "MEDIA_ROOT": str(tmp_path / "media"), "IMAGING_TASK_QUEUE": queue,
    }  # fmt: skip
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
        setattr(settings, key, value)
    assert "poll-orthanc" in settings.CELERY_BEAT_SCHEDULE
    worker = start_worker(queue, settings.REDIS_URL)
    try:
        _wait(lambda: poll_orthanc() > 0, 60, "Orthanc to mark the study stable")
        study = _wait(lambda: ImagingStudy.objects.filter(participant=participant).first(), 60,
                      "the study to be claimed")  # fmt: skip

        def finished() -> ImagingStudy | None:
            study.refresh_from_db()
            if study.status == StudyStatus.FAILED:
                pytest.fail(f"study failed: {study.error}")
            run = study.runs.first()
            if run is None:
                return None
            seg_failed = any("SEG" in flag for flag in run.qc_flags)
            return study if run.seg_stored or seg_failed else None

        _wait(finished, 240, "the pipeline to measure and write back")
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert study.status == StudyStatus.QC_PENDING, output[-3000:]
    assert study.chosen_series.description == AXIAL_DESCRIPTION
    assert study.series.count() == 4
    run = study.runs.get()
    assert run.seg_stored, run.qc_flags
    assert MuscleMetric.objects.filter(run=run, level="all").count() == 8
    left = MuscleMetric.objects.get(run=run, muscle="multifidus", side="left", level="all")
    assert left.volume_mm3 == pytest.approx(78554, rel=0.005)
    # The SEG is in the original study, on the original frame of reference.
    segs = requests.get(f"{orthanc}/dicom-web/studies/{study.pacs_study_uid}/series",
                        params={"Modality": "SEG"}, timeout=30).json()  # fmt: skip
    assert len(segs) == 1
    assert segs[0]["0020000E"]["Value"][0] == run.seg_series_uid
    assert "ingest_orthanc_study" in output and "write_back" in output
