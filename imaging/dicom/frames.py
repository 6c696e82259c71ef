"""Single- and multi-frame DICOM images as a flat list of 2-D frames with their geometry.

Enhanced (multi-frame) MR keeps position, orientation, spacing and rescale per frame in functional
groups; classic images keep them at the top level. Both come out as ``Frame`` objects so stacking
has one code path. Pixel data is decoded by pydicom (pylibjpeg plugins for JPEG 2000, JPEG-LS,
lossless JPEG and RLE) and rescaled to real values here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from imaging.errors import ImagingError


@dataclass(frozen=True)
class Frame:
    source: str  # file name and frame number, for messages
    sop_instance_uid: str
    series_instance_uid: str
    position: np.ndarray  # ImagePositionPatient (LPS mm) of the first transmitted pixel
    row_direction: np.ndarray  # IOP[:3]: direction in which the column index increases
    column_direction: np.ndarray  # IOP[3:]: direction in which the row index increases
    pixel_spacing: tuple[float, float]  # (between rows, between columns), DICOM order
    slice_thickness: float | None
    stack_key: str  # acquisition number / stack ID: re-acquisitions stack separately
    dataset: Dataset
    frame_index: int | None  # None for single-frame images

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.row_direction, self.column_direction)

    def pixels(self) -> np.ndarray:
        """The frame's real-valued pixels (rescale slope and intercept applied), rows x columns."""
        return _frame_pixels(self.dataset, self.frame_index, self.source)


def read_datasets(paths: Iterable[Path]) -> list[Dataset]:
    """Read every file; a file that is not DICOM is named in the error, nothing is half-read."""
    datasets = []
    for path in sorted(paths):
        try:
            datasets.append(pydicom.dcmread(str(path)))
        except (InvalidDicomError, EOFError, OSError, ValueError, KeyError) as error:
            raise ImagingError(f"{path.name}: not a readable DICOM file ({error})") from error
    return datasets


def dicom_files(folder: Path) -> list[Path]:
    """All regular files below a folder, DICOMDIR excluded."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.name.upper() != "DICOMDIR"]
    if not files:
        raise ImagingError(f"{folder}: no files")
    return files


def frames_of(dataset: Dataset, name: str = "") -> list[Frame]:
    if "PixelData" not in dataset and "FloatPixelData" not in dataset:
        raise ImagingError(f"{name or dataset.get('SOPInstanceUID', '?')}: no pixel data")
    count = int(dataset.get("NumberOfFrames", 1) or 1)
    if "PerFrameFunctionalGroupsSequence" in dataset:
        return [_enhanced_frame(dataset, i, name) for i in range(count)]
    if count > 1:
        raise ImagingError(f"{name}: multi-frame image without per-frame geometry")
    return [_classic_frame(dataset, name)]


def _floats(value: object, n: int, what: str, name: str) -> np.ndarray:
    try:
        array = np.array([float(v) for v in value], dtype=float)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as error:
        raise ImagingError(f"{name}: {what} missing or not numeric") from error
    if array.shape != (n,):
        raise ImagingError(f"{name}: {what} has {array.size} values, expected {n}")
    return array


def _orientation(iop: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    values = _floats(iop, 6, "ImageOrientationPatient", name)
    row, column = values[:3], values[3:]
    if not (
        np.isclose(np.linalg.norm(row), 1, atol=1e-3)
        and np.isclose(np.linalg.norm(column), 1, atol=1e-3)
        and abs(float(row @ column)) < 1e-3
    ):
        raise ImagingError(f"{name}: ImageOrientationPatient is not two orthonormal vectors")
    return row / np.linalg.norm(row), column / np.linalg.norm(column)


def _classic_frame(ds: Dataset, name: str) -> Frame:
    for keyword in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
        if keyword not in ds:
            raise ImagingError(f"{name}: {keyword} missing (not a cross-sectional image)")
    row, column = _orientation(ds.ImageOrientationPatient, name)
    spacing = _floats(ds.PixelSpacing, 2, "PixelSpacing", name)
    thickness = ds.get("SliceThickness")
    return Frame(
        source=name,
        sop_instance_uid=str(ds.SOPInstanceUID),
        series_instance_uid=str(ds.SeriesInstanceUID),
        position=_floats(ds.ImagePositionPatient, 3, "ImagePositionPatient", name),
        row_direction=row,
        column_direction=column,
        pixel_spacing=(float(spacing[0]), float(spacing[1])),
        slice_thickness=float(thickness) if thickness not in (None, "") else None,
        stack_key=str(ds.get("AcquisitionNumber", "") or ""),
        dataset=ds,
        frame_index=None,
    )


def _group(ds: Dataset, index: int, keyword: str) -> Dataset | None:
    """A functional group item: per-frame first, then shared."""
    for sequence_name in ("PerFrameFunctionalGroupsSequence", "SharedFunctionalGroupsSequence"):
        sequence = ds.get(sequence_name)
        if not sequence:
            continue
        item = sequence[index] if sequence_name.startswith("PerFrame") else sequence[0]
        if keyword in item and item[keyword].value:
            return item[keyword].value[0]
    return None


def _enhanced_frame(ds: Dataset, index: int, name: str) -> Frame:
    label = f"{name} frame {index + 1}"
    position = _group(ds, index, "PlanePositionSequence")
    orientation = _group(ds, index, "PlaneOrientationSequence")
    measures = _group(ds, index, "PixelMeasuresSequence")
    if position is None or orientation is None or measures is None:
        raise ImagingError(f"{label}: plane position, orientation or pixel measures missing")
    row, column = _orientation(orientation.ImageOrientationPatient, label)
    spacing = _floats(measures.PixelSpacing, 2, "PixelSpacing", label)
    thickness = measures.get("SliceThickness")
    content = _group(ds, index, "FrameContentSequence")
    stack = str(content.get("StackID", "")) if content is not None else ""
    return Frame(
        source=label,
        sop_instance_uid=str(ds.SOPInstanceUID),
        series_instance_uid=str(ds.SeriesInstanceUID),
        position=_floats(position.ImagePositionPatient, 3, "ImagePositionPatient", label),
        row_direction=row,
        column_direction=column,
        pixel_spacing=(float(spacing[0]), float(spacing[1])),
        slice_thickness=float(thickness) if thickness not in (None, "") else None,
        stack_key=stack,
        dataset=ds,
        frame_index=index,
    )


def _frame_pixels(ds: Dataset, index: int | None, source: str) -> np.ndarray:
    try:
        array = ds.pixel_array
    except Exception as error:  # decoders raise their own types; the message names the cause
        syntax = ds.file_meta.get("TransferSyntaxUID", "?") if hasattr(ds, "file_meta") else "?"
        raise ImagingError(
            f"{source}: pixel data cannot be decoded "
            f"(transfer syntax {getattr(syntax, 'name', syntax)}): {error}"
        ) from error
    if index is not None:
        array = array[index]
        transform = _group(ds, index, "PixelValueTransformationSequence")
        slope = float(transform.RescaleSlope) if transform is not None else 1.0
        intercept = float(transform.RescaleIntercept) if transform is not None else 0.0
    else:
        slope = float(ds.get("RescaleSlope", 1) or 1)
        intercept = float(ds.get("RescaleIntercept", 0) or 0)
    if array.ndim != 2:
        raise ImagingError(f"{source}: not a single-channel image")
    real = array.astype(np.float32) * np.float32(slope) + np.float32(intercept)
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        real = real.max() + real.min() - real
    return real
