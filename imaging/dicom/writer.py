"""Write a Volume as a classic DICOM MR series (one instance per slice).

Used to build test studies and demo data from NIfTI files and phantoms: the geometry comes from
the affine (IOP from its first two columns, IPP per slice), pixel values are stored as unsigned
16-bit with a rescale slope/intercept so real values survive. Type-2 attributes are present.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from imaging.volume import Volume


def write_dicom_series(
    volume: Volume,
    folder: Path,
    *,
    study_uid: str | None = None,
    frame_of_reference_uid: str | None = None,
    slice_thickness: float | None = None,
    **attributes: object,
) -> list[Path]:
    """One file per slice of ``volume`` in ``folder``; ``attributes`` override header values."""
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = generate_uid()
    study_uid = study_uid or generate_uid()
    frame_uid = frame_of_reference_uid or generate_uid()
    spacing = volume.spacing
    directions = volume.directions
    array = volume.array.astype(float)
    low, high = float(array.min()), float(array.max())
    slope = (high - low) / 65535 if high > low else 1.0
    paths = []
    for k in range(volume.shape[2]):
        ds = _base_dataset(study_uid, series_uid, frame_uid)
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [
            round(float(v), 6) for v in volume.affine[:3, :3] @ [0, 0, k] + volume.affine[:3, 3]
        ]
        ds.ImageOrientationPatient = [
            round(float(v), 6) for v in (*directions[:, 0], *directions[:, 1])
        ]
        ds.PixelSpacing = [round(spacing[1], 6), round(spacing[0], 6)]
        ds.SliceThickness = round(slice_thickness or spacing[2], 4)
        ds.SpacingBetweenSlices = round(spacing[2], 4)
        pixels = np.rint((array[:, :, k].T - low) / slope).astype(np.uint16)
        ds.Rows, ds.Columns = pixels.shape
        ds.RescaleSlope = f"{slope:.10g}"[:16]
        ds.RescaleIntercept = f"{low:.10g}"[:16]
        ds.PixelData = pixels.tobytes()
        for keyword, value in attributes.items():
            setattr(ds, keyword, value)
        path = folder / f"IM{k:04d}.dcm"
        ds.save_as(str(path), enforce_file_format=True)
        paths.append(path)
    return paths


def _base_dataset(study_uid: str, series_uid: str, frame_uid: str) -> Dataset:
    sop_uid = generate_uid()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.Modality = "MR"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.Manufacturer = "STRONG-BACK test"
    ds.SeriesDescription = "t2_tse_tra"
    ds.SeriesNumber = 1
    ds.PatientName = "Test^Phantom"
    ds.PatientID = "PHANTOM"
    ds.PatientBirthDate = ""
    ds.PatientSex = ""
    today = dt.date.today().strftime("%Y%m%d")
    ds.StudyDate = ds.SeriesDate = today
    ds.StudyTime = ds.SeriesTime = "120000"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyID = "1"
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = "SK"
    ds.ScanOptions = ""
    ds.MRAcquisitionType = "2D"
    ds.EchoTime = 100
    ds.RepetitionTime = 4000
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.PositionReferenceIndicator = ""
    ds.BodyPartExamined = "LSPINE"
    return ds
