"""The images a study's measurement reads: the chosen series, its Dixon partner, a sagittal
series of the same frame of reference, and the image disc planes are found on.

Selection records which series go together (a Dixon pair's partner UID, the sagittal role); these
functions load them, so the pipeline's steps only ask for what they need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from imaging.errors import ImagingError
from imaging.io import volume_from_dicom_files
from imaging.models import ImagingSeries, ImagingSource, ImagingStudy
from imaging.services.storage import nifti_path, series_folder
from imaging.volume import Volume, load_nifti


def series_image(study: ImagingStudy, series: ImagingSeries) -> Volume:
    """The stack volume of a series (for NIfTI uploads, the image)."""
    if study.source == ImagingSource.NIFTI:
        return load_nifti(nifti_path(study, "image.nii.gz"))
    files = sorted(series_folder(study, series).glob("*.dcm"))
    if not files:
        raise ImagingError(f"series {series} has no stored files")
    return volume_from_dicom_files(files)


@dataclass(frozen=True)
class DixonPair:
    fat: Volume
    water: Volume
    fat_source: str  # the pseudonymised series UID, or the uploaded file's role
    water_source: str


def _dixon_series(study: ImagingStudy) -> tuple[ImagingSeries, ImagingSeries] | None:
    """(fat, water) series when the chosen series is a Dixon map paired by selection."""
    chosen = study.chosen_series
    if chosen is None or not chosen.role.startswith("dixon-") or not chosen.paired_series_uid:
        return None
    partner = study.series.filter(series_uid=chosen.paired_series_uid).first()
    if partner is None:
        return None
    return (chosen, partner) if chosen.role == "dixon-fat" else (partner, chosen)


def _nifti_dixon_files(study: ImagingStudy) -> tuple[Path, Path] | None:
    if study.source != ImagingSource.NIFTI:
        return None
    fat, water = nifti_path(study, "fat.nii.gz"), nifti_path(study, "water.nii.gz")
    return (fat, water) if fat.exists() and water.exists() else None


def dixon_images(
    study: ImagingStudy, known: tuple[ImagingSeries, Volume] | None = None
) -> DixonPair | None:
    """The study's Dixon fat and water images (a NIfTI upload's pair, or the DICOM pair that
    selection chose), when it has both; ``known``: a series whose image is already read."""
    files = _nifti_dixon_files(study)
    if files is not None:
        return DixonPair(load_nifti(files[0]), load_nifti(files[1]), "fat.nii.gz upload",
                         "water.nii.gz upload")  # fmt: skip
    pair = _dixon_series(study)
    if pair is None:
        return None
    fat, water = pair

    def image_of(series: ImagingSeries) -> Volume:
        if known is not None and known[0].pk == series.pk:
            return known[1]
        return series_image(study, series)

    return DixonPair(image_of(fat), image_of(water), fat.series_uid, water.series_uid)


def fat_method_for(study: ImagingStudy) -> str:
    """Dixon when the study has fat and water images, else the protocol's T2 method."""
    has_pair = _nifti_dixon_files(study) is not None or _dixon_series(study) is not None
    return "dixon" if has_pair else settings.IMAGING_FAT_METHOD


def sagittal_series(study: ImagingStudy, axial: ImagingSeries) -> tuple[str, Volume] | None:
    """(description, volume) of the study's sagittal series on the axial series' frame of
    reference (the widest one), for naming the discs; None when there is none; ImagingError,
    naming it, when it cannot be read."""
    frame = axial.summary.get("frame_of_reference_uid")
    if study.source == ImagingSource.NIFTI or not frame:
        return None
    candidates = [row for row in study.series.filter(role="sagittal")
                  if row.summary.get("frame_of_reference_uid") == frame]  # fmt: skip
    if not candidates:
        return None
    widest = max(candidates, key=lambda row: (row.instances, row.series_uid))
    name = widest.description or widest.series_uid
    try:
        return name, series_image(study, widest)
    except ImagingError as error:
        raise ImagingError(f"the sagittal series {name} could not be read ({error})") from error


def proposal_image(image: Volume, dixon: DixonPair | None) -> Volume:
    """The image discs are found on: a Dixon pair's fat-fraction map (fatty marrow 30-37 %,
    discs 4-9 %: a stronger contrast than any single image) when the pair has the image's voxel
    array, else the image itself."""
    canonical = image.canonical()
    if dixon is None:
        return canonical
    fat, water = dixon.fat.canonical().array, dixon.water.canonical().array
    if fat.shape != canonical.shape or water.shape != canonical.shape:
        return canonical
    total = fat.astype(np.float32) + water.astype(np.float32)
    fraction = np.divide(fat, total, out=np.zeros_like(total), where=total > 0) * 100
    return canonical.with_array(fraction.astype(np.float32))
