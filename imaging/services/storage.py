"""Where a study's pseudonymised files and a run's outputs live (under MEDIA_ROOT)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from django.conf import settings

from imaging.models import ImagingStudy, SegmentationRun


def pseudonym_secret() -> str:
    """The UID-mapping secret: IMAGING_PSEUDONYM_SECRET, else one derived from SECRET_KEY."""
    if settings.IMAGING_PSEUDONYM_SECRET:
        return settings.IMAGING_PSEUDONYM_SECRET
    return hmac.new(settings.SECRET_KEY.encode(), b"imaging-uid-map", hashlib.sha256).hexdigest()


def study_folder(study: ImagingStudy) -> Path:
    return Path(settings.MEDIA_ROOT) / study.folder_name


def series_folder(study: ImagingStudy, series_uid: str) -> Path:
    return study_folder(study) / "dicom" / series_uid


def nifti_path(study: ImagingStudy, name: str) -> Path:
    return study_folder(study) / "nifti" / name


def run_folder(run: SegmentationRun) -> Path:
    folder = Path(settings.MEDIA_ROOT) / run.folder_name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
