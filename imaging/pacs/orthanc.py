"""An Orthanc client: stable studies from ``/changes``, then DICOMweb for everything DICOM.

Orthanc's REST API is used only where DICOMweb has no equivalent (the change feed and a study's
main tags by Orthanc ID); search, retrieval and storage go through ``dicomweb-client`` so another
DICOMweb PACS can replace Orthanc for those. Network failures and 5xx answers raise
``PacsUnavailable``, which tasks retry with back-off; anything else is a permanent error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.dataset import Dataset

TIMEOUT_S = 30
# Orthanc's resource IDs: five groups of eight hex digits (a SHA-1 of the DICOM identifiers).
ORTHANC_ID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{8}){4}")


class PacsUnavailable(RuntimeError):
    """The PACS could not be reached or answered with a server error: try again later."""


@dataclass(frozen=True)
class StableStudy:
    orthanc_id: str
    study_uid: str
    patient_id: str
    accession_number: str


class OrthancClient:
    def __init__(self, url: str, username: str = "", password: str = "") -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if username:
            self.session.auth = (username, password)
        self.dicomweb = DICOMwebClient(url=f"{self.url}/dicom-web", session=self.session)

    def _get(self, path: str, **params: object) -> object:
        try:
            response = self.session.get(f"{self.url}{path}", params=params, timeout=TIMEOUT_S)
        except requests.RequestException as error:
            raise PacsUnavailable(f"{self.url}{path}: {error}") from error
        if response.status_code >= 500:
            raise PacsUnavailable(f"{self.url}{path}: HTTP {response.status_code}")
        response.raise_for_status()
        return response.json()

    def changes(self, since: int, limit: int = 100) -> tuple[list[str], int, bool]:
        """Orthanc IDs of studies that became stable after change ``since``; the new cursor;
        whether the feed is exhausted."""
        page = self._get("/changes", since=since, limit=limit)
        studies = [
            c["ID"]
            for c in page["Changes"]
            if c["ChangeType"] == "StableStudy" and ORTHANC_ID.fullmatch(str(c["ID"]))
        ]
        return studies, int(page["Last"]), bool(page["Done"])

    def stable_study(self, orthanc_id: str) -> StableStudy:
        if not ORTHANC_ID.fullmatch(orthanc_id):
            raise ValueError("not an Orthanc resource ID")
        study = self._get(f"/studies/{orthanc_id}")
        main = study.get("MainDicomTags", {})
        patient = study.get("PatientMainDicomTags", {})
        return StableStudy(
            orthanc_id=orthanc_id,
            study_uid=main.get("StudyInstanceUID", ""),
            patient_id=patient.get("PatientID", ""),
            accession_number=main.get("AccessionNumber", ""),
        )

    def series_uids(self, study_uid: str) -> list[str]:
        """QIDO-RS: the series of a study."""
        return [
            Dataset.from_json(row).SeriesInstanceUID
            for row in self._dicomweb("search_for_series", study_instance_uid=study_uid)
        ]

    def retrieve_series(self, study_uid: str, series_uid: str) -> list[Dataset]:
        """WADO-RS: every instance of a series."""
        return self._dicomweb(
            "retrieve_series", study_instance_uid=study_uid, series_instance_uid=series_uid
        )

    def store(self, datasets: list[Dataset]) -> None:
        """STOW-RS."""
        self._dicomweb("store_instances", datasets=datasets)

    def _dicomweb(self, method: str, **kwargs: object) -> object:
        try:
            return getattr(self.dicomweb, method)(**kwargs)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if status >= 500:
                raise PacsUnavailable(f"DICOMweb {method}: HTTP {status}") from error
            raise
        except requests.RequestException as error:
            raise PacsUnavailable(f"DICOMweb {method}: {error}") from error
