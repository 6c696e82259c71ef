"""Ingest: pseudonymise every instance, keep only the copy, record each series' header summary.

The same code serves the PACS pull and the browser upload (a zip of DICOM files). A NIfTI upload
(research use) has no header to pseudonymise and becomes one series of kind "nifti".
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pydicom
from django.conf import settings
from django.db import transaction
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from imaging.dicom.deid import pseudonymise
from imaging.dicom.uids import is_valid_uid
from imaging.errors import ImagingError
from imaging.models import ImagingSeries, ImagingSource, ImagingStudy, StudyStatus
from imaging.selection.rules import summarise
from imaging.services.storage import (
    claim_study_folder,
    instance_name,
    nifti_path,
    pseudonym_secret,
    series_folder,
    study_folder,
)
from trial.models import Participant

NIFTI_SERIES_UID = "nifti"
PIXEL_DATA = 0x7FE00010


def store_datasets(study: ImagingStudy, datasets: Iterable[Dataset]) -> int:
    """Pseudonymise every dataset, record the series, then write the files. Returns the count.

    Everything is validated and pseudonymised in memory before anything is written; stored names
    come from database ids and hashes (``imaging.services.storage``), never from the files; a
    refusal or error removes whatever this call wrote."""
    secret = pseudonym_secret()
    study_id = study.participant.study_id
    clean_by_series: dict[str, list[Dataset]] = defaultdict(list)
    original_series: dict[str, str] = {}
    study_uids = set()
    for dataset in datasets:
        if "SOPInstanceUID" not in dataset or "SeriesInstanceUID" not in dataset:
            raise ImagingError("an instance without SOP or series UID cannot be ingested")
        clean = pseudonymise(dataset, study_id, secret)
        series_uid = str(clean.SeriesInstanceUID)
        study_uids.add(str(clean.StudyInstanceUID))
        clean_by_series[series_uid].append(clean)
        original = str(dataset.SeriesInstanceUID)
        original_series[series_uid] = original if is_valid_uid(original) else ""
    count = sum(len(rows) for rows in clean_by_series.values())
    if not count:
        raise ImagingError("no DICOM instance to ingest")
    if len(study_uids) > 1:
        raise ImagingError(f"the files belong to {len(study_uids)} different studies; send one")
    try:
        with transaction.atomic():
            study.study_uid = study_uids.pop()
            study.files = count
            study.warnings = duplicate_warnings(study, list(clean_by_series))
            study.save(reason="pseudonymised copy stored")
            for uid, instances in clean_by_series.items():
                series = _record_series(study, uid, instances, original_series[uid])
                _write_instances(series_folder(study, series), instances)
    except BaseException:
        shutil.rmtree(study_folder(study), ignore_errors=True)
        raise
    return count


def _record_series(
    study: ImagingStudy, uid: str, instances: list[Dataset], pacs_series_uid: str
) -> ImagingSeries:
    # Selection reads headers only: summarise them without the pixels.
    headers = [Dataset({t: e for t, e in ds.items() if t < PIXEL_DATA}) for ds in instances]
    summary = summarise(headers)
    series = ImagingSeries(
        study=study,
        series_uid=uid,
        pacs_series_uid=pacs_series_uid if study.source == ImagingSource.ORTHANC else "",
        description=summary.description[:128],
        modality=summary.modality[:8],
        instances=summary.instances,
        summary=_jsonable(summary),
    )
    series.save(reason="series ingested")
    return series


def _write_instances(folder: Path, instances: list[Dataset]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for clean in instances:
        clean.save_as(folder / instance_name(str(clean.SOPInstanceUID)), enforce_file_format=True)


def duplicate_warnings(study: ImagingStudy, series_uids: list[str]) -> list[str]:
    """Sentences for the coordinator when a series is already stored in another study.

    Pseudonymous UIDs are stable across the trial, so the same images uploaded for two
    participants (or two visits) have the same series UID: say so instead of sharing silently."""
    others = (
        ImagingSeries.objects.filter(series_uid__in=series_uids)
        .exclude(study=study)
        .select_related("study__participant")
        .order_by("study_id")
    )
    warnings = []
    for other in others:
        owner = other.study
        whose = owner.participant.study_id
        warnings.append(
            f"This series ({other.description or 'no description'}) is already attached to "
            f"{whose}'s {owner.visit_code} study (study {owner.pk}). Check that the images belong "
            "to this participant and visit before approving."
        )
    return list(dict.fromkeys(warnings))


def _jsonable(summary: object) -> dict:
    from dataclasses import asdict

    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(summary).items()}


ZIP_MAX_MEMBERS = 20_000  # a lumbar MR export has a few hundred to a few thousand files
ZIP_READ_CHUNK = 1 << 20


def _safe_members(archive: zipfile.ZipFile, limit: int) -> list[zipfile.ZipInfo]:
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > ZIP_MAX_MEMBERS:
        raise ImagingError(f"the zip holds more than {ZIP_MAX_MEMBERS} files")
    if sum(m.file_size for m in members) > limit:
        raise ImagingError(f"the zip expands beyond {limit // 1024**2} MB")
    return members


def _read_members(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limit: int
) -> Iterator[tuple[str, bytes]]:
    """Each member's bytes, counted as they are actually inflated (a header may lie about the
    size): over ``limit`` in all, or a damaged, encrypted or unsupported member, is refused."""
    total = 0
    for member in members:
        parts = []
        try:
            with archive.open(member) as handle:
                while chunk := handle.read(ZIP_READ_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise ImagingError(f"the zip expands beyond {limit // 1024**2} MB")
                    parts.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ImagingError(f"the zip is damaged ({member.filename!r}: {error})") from None
        except (NotImplementedError, RuntimeError) as error:  # encrypted or unknown method
            raise ImagingError(
                f"the zip member {member.filename!r} cannot be read: {error}"
            ) from None
        yield member.filename, b"".join(parts)


def datasets_from_members(members: Iterable[tuple[str, bytes]]) -> tuple[list[Dataset], list[str]]:
    """DICOM datasets among named files, and the names that are not DICOM (ignored: DICOMDIR
    viewers, readme files and thumbnails travel with CD exports)."""
    datasets, skipped = [], []
    for name, content in members:
        try:
            dataset = pydicom.dcmread(io.BytesIO(content))
        except (InvalidDicomError, EOFError, ValueError, KeyError):
            skipped.append(name)
            continue
        if "SOPInstanceUID" in dataset and "PixelData" in dataset:
            datasets.append(dataset)
        else:  # a DICOMDIR or a structured report: not an image
            skipped.append(name)
    if not datasets:
        others = ", ".join(skipped[:5])
        raise ImagingError(
            f"no DICOM image among the files ({len(skipped)} other file(s): {others})"
        )
    return datasets, skipped


def datasets_from_zip(data: bytes) -> tuple[list[Dataset], list[str]]:
    """DICOM datasets in a zip, and the names of members that are not DICOM images."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImagingError("the upload is not a zip file") from error
    with archive:
        limit = settings.IMAGING_UPLOAD_MAX_BYTES
        members = _safe_members(archive, limit)
        return datasets_from_members(_read_members(archive, members, limit))


def datasets_from_files(files: Sequence[tuple[str, bytes]]) -> tuple[list[Dataset], list[str]]:
    """DICOM datasets from the files of an uploaded folder (the browser sends each file)."""
    total = sum(len(content) for _name, content in files)
    if total > settings.IMAGING_UPLOAD_MAX_BYTES:
        raise ImagingError(
            f"the folder holds more than {settings.IMAGING_UPLOAD_MAX_BYTES // 1024**2} MB"
        )
    return datasets_from_members(files)


def create_upload_study(
    participant: Participant, visit_code: str, user: object, source: str = ImagingSource.UPLOAD
) -> ImagingStudy:
    study = ImagingStudy(participant=participant, visit_code=visit_code, source=source,
                         created_by=user, status=StudyStatus.QUEUED)  # fmt: skip
    study.save(reason="imaging study uploaded")
    claim_study_folder(study)
    return study


def ingest_zip(
    participant: Participant, visit_code: str, data: bytes, user: object
) -> tuple[ImagingStudy, list[str]]:
    """A study from an uploaded zip. Nothing is created when the zip holds no DICOM."""
    return ingest_datasets(participant, visit_code, *datasets_from_zip(data), user)


def ingest_folder(
    participant: Participant, visit_code: str, files: Sequence[tuple[str, bytes]], user: object
) -> tuple[ImagingStudy, list[str]]:
    """A study from the files of an uploaded folder (a CD's DICOM folder, say)."""
    return ingest_datasets(participant, visit_code, *datasets_from_files(files), user)


def ingest_datasets(
    participant: Participant,
    visit_code: str,
    datasets: list[Dataset],
    skipped: list[str],
    user: object,
) -> tuple[ImagingStudy, list[str]]:
    """Store read datasets as a new study; on any refusal the study and its files are removed."""
    with transaction.atomic():
        study = create_upload_study(participant, visit_code, user)
        store_datasets(study, datasets)  # removes its files on any refusal
    return study, skipped


def _read_nifti(data: bytes, name: str) -> object:
    from imaging.volume import load_nifti

    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / name
        probe.write_bytes(data)
        return load_nifti(probe)  # refuses anything unreadable before a study exists


def check_dixon_pair(image: object, dixon: tuple[bytes, bytes], same_acquisition: bool) -> None:
    """Fat and water must lie on the image's grid, or be stated one acquisition (same voxel
    array) when their headers disagree; the refusal names the difference."""
    from imaging.metrics.measure import grid_difference

    reference = image.canonical()
    for data, name in zip(dixon, ("fat.nii.gz", "water.nii.gz"), strict=True):
        other = _read_nifti(data, name).canonical()
        if other.same_grid(reference):
            continue
        if other.shape != reference.shape:
            raise ImagingError(f"{name}: not the image's voxel array "
                               f"({grid_difference(other, reference)})")  # fmt: skip
        if not same_acquisition:
            raise ImagingError(
                f"{name}: its header does not match the image's "
                f"({grid_difference(other, reference)}); if they are one acquisition, tick "
                "the box that says so"
            )


def ingest_nifti(
    participant: Participant,
    visit_code: str,
    image: bytes,
    labels: bytes | None,
    user: object,
    *,
    dixon: tuple[bytes, bytes] | None = None,
    same_acquisition: bool = False,
) -> ImagingStudy:
    """A research study from a NIfTI image (and optionally its label map, and a Dixon fat and
    water pair, which makes the study's fat method Dixon)."""
    volume = _read_nifti(image, "image.nii.gz")
    if dixon is not None:
        check_dixon_pair(volume, dixon, same_acquisition)
    series_uid = f"{NIFTI_SERIES_UID}-{hashlib.sha256(image).hexdigest()[:32]}"
    with transaction.atomic():
        study = create_upload_study(participant, visit_code, user, ImagingSource.NIFTI)
        try:
            path = nifti_path(study, "image.nii.gz")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image)
            if labels is not None:
                nifti_path(study, "labels.nii.gz").write_bytes(labels)
            if dixon is not None:
                nifti_path(study, "fat.nii.gz").write_bytes(dixon[0])
                nifti_path(study, "water.nii.gz").write_bytes(dixon[1])
                study.same_acquisition_stated = same_acquisition
            study.files = 1 + (labels is not None) + 2 * (dixon is not None)
            study.warnings = duplicate_warnings(study, [series_uid])
            study.save(reason="NIfTI stored")
            ImagingSeries(
                study=study, series_uid=series_uid, description="NIfTI upload", modality="MR",
                instances=volume.shape[2],
                summary={"shape": list(volume.shape), "spacing_mm": list(volume.spacing)},
            ).save(reason="NIfTI series recorded")  # fmt: skip
        except BaseException:
            shutil.rmtree(study_folder(study), ignore_errors=True)
            raise
    return study
