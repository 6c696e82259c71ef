"""DICOM volume building: order from positions, spacing checks, rescale, codecs, multi-frame."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import JPEG2000Lossless, RLELossless

from imaging.dicom.frames import frames_of, read_datasets
from imaging.dicom.writer import write_dicom_series
from imaging.errors import ImagingError
from imaging.io import load_image
from imaging.phantoms import Muscle, phantom

SERIES = "imaging/musclemap-lumbar-t2/dicom"


@pytest.fixture
def series(shared_data: Callable[[str], Path], tmp_path: Path) -> Path:
    copy = tmp_path / "series"
    shutil.copytree(shared_data(SERIES), copy)
    return copy


@pytest.fixture
def reference(shared_data: Callable[[str], Path]) -> np.ndarray:
    return load_image(shared_data("imaging/musclemap-lumbar-t2/image.nii.gz")).canonical().array


def test_order_comes_from_positions_not_instance_numbers(
    series: Path, reference: np.ndarray
) -> None:
    rng = np.random.default_rng(3)
    files = sorted(series.iterdir())
    for path, number in zip(files, rng.permutation(len(files)) + 1, strict=True):
        ds = pydicom.dcmread(path)
        ds.InstanceNumber = int(number)
        ds.SliceLocation = float(number)  # misleading on purpose
        ds.save_as(path)
        path.rename(series / f"x{number:03d}.dcm")
    volume = load_image(series).canonical()
    np.testing.assert_array_equal(volume.array, reference)


def test_a_missing_slice_is_refused_with_its_position(series: Path) -> None:
    (series / "IM0007.dcm").unlink()
    with pytest.raises(ImagingError, match=r"not uniform: 4.40 mm .* 8.80 mm .*missing slice"):
        load_image(series)


def test_the_same_position_twice_is_refused(series: Path) -> None:
    ds = pydicom.dcmread(series / "IM0004.dcm")
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(series / "repeat.dcm")
    with pytest.raises(ImagingError, match="same position"):
        load_image(series)


def test_a_duplicate_instance_counts_once(series: Path, reference: np.ndarray) -> None:
    shutil.copy(series / "IM0004.dcm", series / "copy-of-4.dcm")
    np.testing.assert_array_equal(load_image(series).canonical().array, reference)


def test_a_file_that_is_not_dicom_is_named(series: Path) -> None:
    (series / "notes.txt").write_text("scanner log")
    with pytest.raises(ImagingError, match=r"notes\.txt: not a readable DICOM file"):
        load_image(series)


def test_two_orientations_are_two_stacks(series: Path, tmp_path: Path) -> None:
    image, _ = phantom((Muscle(1, (0, 0), (5, 5)),), shape=(20, 20, 4), tilt_deg=40)
    for path in write_dicom_series(image, tmp_path / "other"):
        ds = pydicom.dcmread(path)
        ds.SeriesInstanceUID = pydicom.dcmread(series / "IM0000.dcm").SeriesInstanceUID
        ds.save_as(path)
        shutil.copy(path, series / f"tilted-{path.name}")
    with pytest.raises(ImagingError, match=r"2 stacks found"):
        load_image(series)


@pytest.mark.parametrize("syntax", [JPEG2000Lossless, RLELossless], ids=["j2k", "rle"])
def test_compressed_series_decode_to_the_same_volume(
    series: Path, reference: np.ndarray, syntax: str
) -> None:
    for path in series.iterdir():
        ds = pydicom.dcmread(path)
        ds.compress(syntax)
        ds.save_as(path)
    assert pydicom.dcmread(series / "IM0000.dcm").file_meta.TransferSyntaxUID == syntax
    np.testing.assert_array_equal(load_image(series).canonical().array, reference)


def test_rescale_slope_is_applied_and_jpeg2000_matches_uncompressed() -> None:
    plain = frames_of(pydicom.dcmread(get_testdata_file("MR2_UNCR.dcm")))[0]
    j2k = frames_of(pydicom.dcmread(get_testdata_file("MR2_J2KR.dcm")))[0]
    stored = plain.dataset.pixel_array.astype(float)
    assert float(plain.dataset.RescaleSlope) == pytest.approx(3.774114)
    intercept = float(plain.dataset.RescaleIntercept)
    np.testing.assert_allclose(plain.pixels(), stored * 3.774114 + intercept, rtol=1e-6, atol=1e-4)
    assert plain.pixels().max() > stored.max() * 3.7
    np.testing.assert_allclose(j2k.pixels(), plain.pixels(), atol=1e-3)


def test_enhanced_multiframe_mr_builds_the_same_volume(
    series: Path, reference: np.ndarray, tmp_path: Path
) -> None:
    from highdicom.legacy import LegacyConvertedEnhancedMRImage

    datasets = read_datasets(sorted(series.iterdir()))
    enhanced = LegacyConvertedEnhancedMRImage(
        legacy_datasets=datasets,
        series_instance_uid=pydicom.uid.generate_uid(),
        series_number=99,
        sop_instance_uid=pydicom.uid.generate_uid(),
        instance_number=1,
    )
    path = tmp_path / "enhanced.dcm"
    enhanced.save_as(path)
    assert int(pydicom.dcmread(path).NumberOfFrames) == 20
    volume = load_image(path)
    assert any("gap between slices" in note for note in volume.notes)
    np.testing.assert_array_equal(volume.canonical().array, reference)


def test_multiframe_without_geometry_is_refused_clearly() -> None:
    with pytest.raises(ImagingError, match="without per-frame geometry"):
        load_image(Path(get_testdata_file("emri_small.dcm")))


def test_a_truncated_file_is_reported(series: Path) -> None:
    path = series / "IM0003.dcm"
    path.write_bytes(path.read_bytes()[:4000])
    with pytest.raises(ImagingError, match="IM0003"):
        load_image(series)
