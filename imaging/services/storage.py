"""Where a study's pseudonymised files and a run's outputs live (under MEDIA_ROOT).

Every stored name is built from database ids or fixed names, never from file content (a UID or a
file name from an upload or a PACS), and every path is checked to resolve inside its study's
folder before anything is written or read.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from imaging.errors import ImagingError
from imaging.models import ImagingSeries, ImagingStudy, SegmentationRun


def pseudonym_secret() -> str:
    """The UID-mapping secret: IMAGING_PSEUDONYM_SECRET, else one derived from SECRET_KEY."""
    if settings.IMAGING_PSEUDONYM_SECRET:
        return settings.IMAGING_PSEUDONYM_SECRET
    return hmac.new(settings.SECRET_KEY.encode(), b"imaging-uid-map", hashlib.sha256).hexdigest()


def inside(folder: Path, *parts: str) -> Path:
    """``folder / parts`` after checking that it resolves inside ``folder`` (no ``..``, no
    absolute part, no link out)."""
    root = folder.resolve()
    path = root.joinpath(*parts).resolve()
    if path != root and root not in path.parents:
        raise ImagingError("refused: a stored file name would leave the study's folder")
    return path


def study_folder(study: ImagingStudy) -> Path:
    if study.pk is None:
        raise ImagingError("a study is saved before its files are stored")
    return inside(Path(settings.MEDIA_ROOT), "imaging", f"study-{int(study.pk)}")


def claim_study_folder(study: ImagingStudy) -> Path:
    """The folder of a study created just now, empty. Files already there belong to no row of
    this database (a restored backup, or a rolled-back study whose id came back): they are moved
    aside, never mixed with this study's files and never deleted."""
    folder = study_folder(study)
    if folder.exists():
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
        folder.rename(folder.with_name(f"{folder.name}.orphaned-{stamp}"))
    return folder


def series_folder(study: ImagingStudy, series: ImagingSeries) -> Path:
    """A series' DICOM files, named by the series' database id."""
    if series.pk is None or series.study_id != study.pk:
        raise ImagingError("that series is not stored in this study")
    return inside(study_folder(study), "dicom", f"series-{int(series.pk)}")


def instance_name(sop_instance_uid: str) -> str:
    """The file name of an instance: a hash of its (pseudonymous) UID, stable across re-ingests."""
    return hashlib.sha256(sop_instance_uid.encode()).hexdigest()[:40] + ".dcm"


def nifti_path(study: ImagingStudy, name: str) -> Path:
    if name not in ("image.nii.gz", "labels.nii.gz", "fat.nii.gz", "water.nii.gz"):
        raise ImagingError(f"no stored NIfTI called {name!r}")
    return inside(study_folder(study), "nifti", name)


def run_folder(run: SegmentationRun) -> Path:
    folder = inside(study_folder(run.study), f"run-{int(run.pk)}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
