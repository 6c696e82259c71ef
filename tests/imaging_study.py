"""A multi-series lumbar MR study for tests: the real MuscleMap axial T2 series plus decoys.

Decoys: a fat-suppressed axial series made from the CHAOS T2-SPIR volume, a sagittal series (the
MuscleMap image written with a sagittal affine), and a derived series (our axial pixels marked
DERIVED/SECONDARY). All share one study, patient ID and accession number.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from pydicom.uid import generate_uid

from imaging.dicom.writer import write_dicom_series
from imaging.volume import Volume, load_nifti

AXIAL_DESCRIPTION = "t2_tse_tra_L1-S1 (synthetic from MuscleMap sample)"
PATIENT_ID = "SB-PACS-0001"
ACCESSION = "ACC20260001"


def _retag(paths: list[Path], study_uid: str, **values: object) -> None:
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.StudyInstanceUID = study_uid
        ds.PatientID = PATIENT_ID
        ds.PatientName = "Doe^Jane"
        ds.PatientBirthDate = "19800101"
        ds.AccessionNumber = ACCESSION
        ds.InstitutionName = "Montreal Test Hospital"
        for keyword, value in values.items():
            setattr(ds, keyword, value)
        ds.save_as(path)


def build_study(folder: Path, shared: Callable[[str], Path]) -> dict[str, list[Path]]:
    """Write the study's files under ``folder``; returns the files per series kind."""
    study_uid = generate_uid()
    axial_dir = folder / "axial"
    shutil.copytree(shared("imaging/musclemap-lumbar-t2/dicom"), axial_dir)
    axial = sorted(axial_dir.iterdir())
    _retag(axial, study_uid)
    frame_uid = str(pydicom.dcmread(axial[0]).FrameOfReferenceUID)

    spir = load_nifti(shared("imaging/chaos-abdominal-mr/11_T2SPIR_img.nii.gz"))
    suppressed = write_dicom_series(spir, folder / "spir", study_uid=study_uid,
                                    SeriesDescription="T2 SPIR tra", ScanOptions="FS",
                                    SeriesNumber=7)  # fmt: skip
    _retag(suppressed, study_uid)

    image = load_nifti(shared("imaging/musclemap-lumbar-t2/image.nii.gz")).canonical()
    sagittal_affine = np.eye(4)
    sagittal_affine[:3, :3] = np.array([[0, 0, 4.4], [0.9375, 0, 0], [0, -0.9375, 0]])
    sagittal_volume = Volume(np.ascontiguousarray(image.array[:, :, :16]), sagittal_affine)
    sagittal = write_dicom_series(sagittal_volume, folder / "sagittal", study_uid=study_uid,
                                  frame_of_reference_uid=frame_uid,
                                  SeriesDescription="t2_tse_sag", SeriesNumber=3)  # fmt: skip
    _retag(sagittal, study_uid)

    derived_dir = folder / "derived"
    shutil.copytree(axial_dir, derived_dir)
    derived = sorted(derived_dir.iterdir())
    series_uid = generate_uid()
    for path in derived:
        ds = pydicom.dcmread(path)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(path)
    _retag(derived, study_uid, SeriesInstanceUID=series_uid,
           ImageType=["DERIVED", "SECONDARY", "MPR"], SeriesDescription="t2 tra MPR",
           SeriesNumber=501)  # fmt: skip
    return {"axial": axial, "spir": suppressed, "sagittal": sagittal, "derived": derived}


def zip_files(paths: list[Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, path in enumerate(paths):
            archive.write(path, f"DICOM/{n:05d}")
    return buffer.getvalue()


def reference_masks_folder(folder: Path, shared_data: Callable[[str], Path]) -> Path:
    """``folder`` holding the shared sample's label map, as ``IMAGING_SEGMENTER=reference``
    reads it (matched to an image by voxel grid)."""
    folder.mkdir(parents=True)
    shutil.copy(shared_data("imaging/musclemap-lumbar-t2/labels.nii.gz"), folder / "mm.nii.gz")
    return folder
