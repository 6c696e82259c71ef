"""Following the PACS: stable studies from Orthanc's change feed, matched to appointments."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from imaging.dicom.uids import is_valid_uid
from imaging.errors import ImagingError
from imaging.models import (
    ImagingAppointment,
    ImagingSource,
    ImagingStudy,
    PacsCursor,
    StudyStatus,
)
from imaging.pacs.orthanc import StableStudy
from imaging.services.ingest import store_datasets
from imaging.services.storage import claim_study_folder
from imaging.services.writeback import orthanc_client

log = logging.getLogger(__name__)


def new_stable_studies(limit: int = 100) -> list[str]:
    """Orthanc IDs of studies that became stable since the last poll; advances the cursor."""
    client = orthanc_client()
    cursor, _ = PacsCursor.objects.get_or_create(url=settings.ORTHANC_URL)
    found: list[str] = []
    done = False
    while not done:
        studies, last, done = client.changes(cursor.last_change, limit)
        found += studies
        cursor.last_change = last
        cursor.save()
    return list(dict.fromkeys(found))


def match(stable: StableStudy) -> ImagingAppointment | None:
    """The appointment by accession number, else the only open one of that PACS patient ID."""
    if stable.accession_number:
        found = ImagingAppointment.objects.filter(accession_number=stable.accession_number).first()
        if found:
            return found
    candidates = [
        a for a in ImagingAppointment.objects.filter(pacs_patient_id=stable.patient_id)
        if not ImagingStudy.objects.filter(
            participant=a.participant_id, visit_code=a.visit_code, source=ImagingSource.ORTHANC
        ).exists()
    ]  # fmt: skip
    return candidates[0] if len(candidates) == 1 else None


def claim_study(orthanc_id: str) -> ImagingStudy | None:
    """The EDC study for an Orthanc study (created once), or None when nobody is scheduled."""
    existing = ImagingStudy.objects.filter(orthanc_id=orthanc_id).first()
    if existing:
        return existing
    stable = orthanc_client().stable_study(orthanc_id)
    if not is_valid_uid(stable.study_uid):
        log.warning("Orthanc study %s has no valid StudyInstanceUID: not ingested", orthanc_id)
        return None
    appointment = match(stable)
    if appointment is None:
        log.warning("Orthanc study %s matches no imaging appointment", orthanc_id)
        return None
    with transaction.atomic():
        study = ImagingStudy(
            participant=appointment.participant, visit_code=appointment.visit_code,
            source=ImagingSource.ORTHANC, orthanc_id=orthanc_id,
            pacs_study_uid=stable.study_uid, status=StudyStatus.QUEUED,
        )  # fmt: skip
        study.save(reason=f"PACS study matched to appointment {appointment.accession_number}")
        claim_study_folder(study)
    return study


def pull_study(study: ImagingStudy) -> int:
    """QIDO-RS the series, WADO-RS their instances, pseudonymise and store them."""
    if study.series.exists():
        return study.files  # a re-delivered task: already pulled
    client = orthanc_client()
    study_uid = require_study_uid(study.pacs_study_uid)
    series_uids = client.series_uids(study_uid)
    if not series_uids:
        raise ImagingError("the PACS study has no series")
    invalid = [uid for uid in series_uids if not is_valid_uid(uid)]
    if invalid:
        raise ImagingError(
            f"the PACS returned {len(invalid)} series whose UID is not a valid DICOM UID; "
            "nothing was stored"
        )
    datasets = []
    for uid in series_uids:
        datasets += client.retrieve_series(study_uid, uid)
    return store_datasets(study, datasets)


def require_study_uid(uid: str) -> str:
    if not is_valid_uid(uid):
        raise ImagingError("the PACS study UID is not a valid DICOM UID; nothing was retrieved")
    return uid
