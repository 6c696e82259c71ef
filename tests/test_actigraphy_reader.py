"""The .cwa reader against real files: skdh's truth arrays (AX3 packed, AX6 unpacked with gyro),
GGIRread's test vectors, corrupt and truncated copies."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from outcomes.actigraphy import CwaError, read_cwa
from outcomes.actigraphy.cwa import HEADER_BYTES, SECTOR_BYTES, unix_seconds

HOUR = 3600.0


def test_ax3_packed_matches_the_truth_arrays(shared_data) -> None:
    recording = read_cwa(shared_data("actigraphy/ax3_sample.cwa"))
    truth = np.load(shared_data("actigraphy/ax3_data.npz"))
    assert recording.accel.shape == truth["accel"].shape == (58800, 3)
    np.testing.assert_array_equal(recording.accel, truth["accel"])  # exact: k/256 x 2^e
    assert recording.fs == truth["fs"][0] == 200.0 and recording.accel_range == 8
    assert (recording.device_type, recording.device_id) == ("AX3", 51888)
    assert recording.session_id == 1020030004 and recording.gyro is None
    assert recording.bad_sectors == [] and recording.segments == [(0, 58800)]
    # Time: we interpolate between the sectors' timestamp anchors (Open Movement's reference
    # reader); skdh spaces samples block by block. They agree within 2 samples (10 ms).
    difference = np.abs(recording.time - truth["time"])
    assert difference.max() < 0.010 and np.median(difference) < 0.005
    assert np.all(np.diff(recording.time) > 0)


def test_ax6_unpacked_with_gyro_matches_the_truth_arrays(shared_data) -> None:
    recording = read_cwa(shared_data("actigraphy/ax6_sample.cwa"))
    truth = np.load(shared_data("actigraphy/ax6_data.npz"))
    assert recording.device_type == "AX6" and recording.fs == 100.0
    np.testing.assert_allclose(recording.accel, truth["accel"], atol=1e-5)
    np.testing.assert_allclose(recording.gyro, truth["gyro"], atol=1e-4)  # 6-dp truth
    assert np.abs(recording.time - truth["time"]).max() < 0.020


def test_ggirread_vectors(shared_data) -> None:
    # wadpac/GGIRread tests/testthat/test_readAxivity.R on ax3_testfile.cwa, blocks 1-4
    # (block 1 = data sector 1): x[1] = 0.7656, y[4] = -0.3125, temp[3] = 26.46484 (1-based).
    recording = read_cwa(shared_data("actigraphy/ggirread_ax3_testfile.cwa"))
    first = 120  # sector 1 starts at sample 120 (120 packed samples per sector)
    assert recording.accel[first + 0, 0] == pytest.approx(0.7656, abs=1e-4)
    assert recording.accel[first + 3, 1] == pytest.approx(-0.3125)
    assert recording.temperature[first + 2] == pytest.approx(26.46484, abs=1e-4)
    assert recording.metadata == {"Body Location": "right wrist", "Subject Code": "26"}
    assert recording.fs == 100.0 and len(recording.accel) == 17400
    # GGIRread reports time[5] = 1551174907.255 in Europe/Berlin (UTC+1); the device clock read
    # as UTC is one hour later. GGIRread resamples, so its row 5 is near, not at, our sample 124.
    assert recording.time[first + 4] - HOUR == pytest.approx(1551174907.255, abs=0.02)


def _corrupt(source, target, sectors: list[int]) -> None:
    shutil.copyfile(source, target)
    with open(target, "r+b") as handle:
        for sector in sectors:
            handle.seek(HEADER_BYTES + sector * SECTOR_BYTES + 100)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0xFF]))  # breaks the zero-sum checksum


def test_corrupt_sectors_are_skipped_and_reported(shared_data, tmp_path) -> None:
    source = shared_data("actigraphy/ax3_sample.cwa")
    truth = np.load(shared_data("actigraphy/ax3_data.npz"))
    broken = [0, 13, 14, 142, 143, 144]  # the sectors GGIRread's corrupt test file breaks
    _corrupt(source, tmp_path / "corrupt.cwa", broken)
    recording = read_cwa(tmp_path / "corrupt.cwa")
    assert recording.bad_sectors == broken
    assert len(recording.accel) == 58800 - 120 * len(broken)
    kept = np.setdiff1d(np.arange(490), broken)
    expected = truth["accel"].reshape(490, 120, 3)[kept].reshape(-1, 3)
    np.testing.assert_array_equal(recording.accel, expected)
    # No interpolation across a gap: segments 1-12, 15-141, 145-489.
    assert recording.segments == [(0, 1440), (1440, 1440 + 127 * 120), (16680, 58080)]
    truth_time = truth["time"].reshape(490, 120)[kept].reshape(-1)
    assert np.abs(recording.time - truth_time).max() < 0.010


def test_the_whole_recording_equals_the_chunk_stream(shared_data, tmp_path) -> None:
    """``read`` decodes into one array and expands times, temperature and light only when asked;
    ``chunks`` (what sleep scoring streams) must give the same samples, gaps included."""
    from outcomes.actigraphy import CwaFile

    _corrupt(shared_data("actigraphy/ax3_sample.cwa"), tmp_path / "corrupt.cwa", [13, 142])
    recording = read_cwa(tmp_path / "corrupt.cwa")
    chunks = list(CwaFile(tmp_path / "corrupt.cwa").chunks(chunk_sectors=7))
    for name in ("accel", "time", "temperature", "light"):
        streamed = np.concatenate([getattr(chunk, name) for chunk in chunks])
        np.testing.assert_array_equal(getattr(recording, name), streamed, err_msg=name)


def test_times_and_sector_values_are_computed_for_the_part_asked_for(shared_data, tmp_path) -> None:
    """``time``, ``temperature`` and ``light`` hold one value per sector and compute samples on
    indexing: any slice, index or block equals the same part of the whole array, across the
    gaps between segments too; the whole is built only when asked (``np.asarray``)."""
    from outcomes.actigraphy.per_sample import PerSample

    _corrupt(shared_data("actigraphy/ax3_sample.cwa"), tmp_path / "corrupt.cwa", [13, 142])
    recording = read_cwa(tmp_path / "corrupt.cwa")
    rng = np.random.default_rng(0)
    for name in ("time", "temperature", "light"):
        lazy = getattr(recording, name)
        assert isinstance(lazy, PerSample) and len(lazy) == len(recording.accel)
        whole = np.asarray(lazy)
        assert whole.dtype == lazy.dtype and whole.shape == lazy.shape
        edges = [0, 1439, 1440, 1441, 16679, 16680, len(whole) - 1]
        for start, stop in [(a, a + 250) for a in edges] + [
            tuple(sorted(rng.integers(0, len(whole), 2))) for _ in range(20)
        ]:
            np.testing.assert_array_equal(lazy[start:stop], whole[start:stop], err_msg=name)
        np.testing.assert_array_equal(lazy[5:4000:7], whole[5:4000:7])
        np.testing.assert_array_equal(lazy[::-3], whole[::-3])
        assert lazy[-1] == whole[-1] and lazy[1440] == whole[1440]
        assert list(zip(range(3), lazy, strict=False)) == list(enumerate(whole[:3]))
        blocks = list(lazy.chunks(size=999))
        assert [first for first, _ in blocks] == list(range(0, len(whole), 999))
        np.testing.assert_array_equal(np.concatenate([v for _, v in blocks]), whole)
        with pytest.raises(IndexError):
            lazy[len(whole)]


def test_a_truncated_file_reads_up_to_the_damage(shared_data, tmp_path) -> None:
    source = shared_data("actigraphy/ax3_sample.cwa")
    data = source.read_bytes()
    cut = HEADER_BYTES + 100 * SECTOR_BYTES + 300
    (tmp_path / "cut.cwa").write_bytes(data[:cut])
    recording = read_cwa(tmp_path / "cut.cwa")
    assert len(recording.accel) == 100 * 120 and recording.truncated_bytes == 300
    truth = np.load(shared_data("actigraphy/ax3_data.npz"))
    np.testing.assert_array_equal(recording.accel, truth["accel"][: 100 * 120])


def test_not_a_cwa_file_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "x.cwa").write_bytes(b"PK\x03\x04" + bytes(2000))
    with pytest.raises(CwaError, match="'MD'"):
        read_cwa(tmp_path / "x.cwa")
    (tmp_path / "empty.cwa").write_bytes(b"MD" + bytes(HEADER_BYTES - 2))
    with pytest.raises(CwaError, match="no data sector"):
        read_cwa(tmp_path / "empty.cwa")
    (tmp_path / "junk.cwa").write_bytes(b"MD" + bytes(HEADER_BYTES - 2) + bytes(SECTOR_BYTES * 3))
    with pytest.raises(CwaError, match="None of the 3 data sectors is valid"):
        read_cwa(tmp_path / "junk.cwa")


def test_packed_timestamps_convert_like_the_calendar() -> None:
    import calendar

    def pack(y, mo, d, h, mi, s):
        return ((y - 2000) << 26) | (mo << 22) | (d << 17) | (h << 12) | (mi << 6) | s

    cases = [(2020, 2, 12, 9, 3, 38), (2024, 2, 29, 23, 59, 59), (2000, 1, 1, 0, 0, 0)]
    seconds, valid = unix_seconds(np.array([pack(*c) for c in cases], dtype=np.uint32))
    assert valid.all()
    assert seconds.tolist() == [calendar.timegm((*c, 0, 0, 0)) for c in cases]
    _, invalid = unix_seconds(np.array([pack(2020, 13, 1, 0, 0, 0)], dtype=np.uint32))
    assert not invalid.any()


def test_a_written_synthetic_file_reads_back(tmp_path) -> None:
    """The writer the sleep tests and the benchmark use: valid sectors, exact times across
    midnight, values within the packed format's quantisation (1/256 g, coarser above 2 g)."""
    import datetime as dt

    from outcomes.actigraphy.synthetic import write_cwa

    rng = np.random.default_rng(7)
    accel = rng.normal(0, 0.3, (120 * 40, 3))
    accel[:, 2] += 1.0
    accel[50] = [3.1, -7.9, 0.002]
    start = dt.datetime(2026, 3, 8, 23, 59, 58, 250000)
    write_cwa(tmp_path / "s.cwa", accel, start, fs=50.0, metadata="_sc=SB-001&_p=left+wrist")
    recording = read_cwa(tmp_path / "s.cwa")
    assert recording.bad_sectors == [] and recording.segments == [(0, 4800)]
    assert recording.fs == 50.0 and recording.metadata["Subject Code"] == "SB-001"
    small = np.abs(accel).max(axis=1) < 2
    assert np.abs(recording.accel - accel)[small].max() <= 0.5 / 256 + 1e-9
    assert np.abs(recording.accel[50] - accel[50]).max() <= 2 / 256
    origin = start.replace(tzinfo=dt.UTC).timestamp()
    expected = origin + np.arange(4800) / 50.0
    assert np.abs(recording.time - expected).max() < 1e-4
