"""Reader for Axivity ``.cwa`` files (Open Movement format, AX3 and AX6).

Format: ``openmovementproject/openmovement`` ``Docs/ax3/cwa.h``; timing rules as in the reference
reader ``cwa_load.py`` (BSD-2, © Newcastle University), restated in
``shared/reference/devices_stats.md`` §1.1. Written here, vectorised with numpy over memory-mapped
sectors and decoded chunk by chunk, because the PyPI packages either fail on NumPy 2, need Java, or
crash on a corrupt sector.

Tolerance: a sector with a bad checksum, a wrong header or a format different from the file's
first valid sector is skipped and listed in ``bad_sectors``; time is never interpolated across a
skipped sector, a session change or a break in the sequence counter (each starts a new segment).
A truncated file reads up to its last whole sector.

Time: seconds since the epoch reading the device's wall clock as if it were UTC (the device stores
no time zone; the participant's zone is kept with the upload and applied for clinical times).
"""

from __future__ import annotations

import mmap
import os
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from outcomes.actigraphy.per_sample import PerSample

HEADER_BYTES = 1024
TIME_CHUNK = 1 << 20  # samples timed per step
SECTOR_BYTES = 512
SECTOR = np.dtype(
    [
        ("packet_header", "<u2"),
        ("packet_length", "<u2"),
        ("device_fractional", "<u2"),
        ("session_id", "<u4"),
        ("sequence_id", "<u4"),
        ("timestamp", "<u4"),
        ("light_scale", "<u2"),
        ("temperature", "<u2"),
        ("events", "u1"),
        ("battery", "u1"),
        ("rate_code", "u1"),
        ("num_axes_bps", "u1"),
        ("timestamp_offset", "<i2"),
        ("sample_count", "<u2"),
        ("data", "V480"),
        ("checksum", "<u2"),
    ]
)
AX = 0x5841  # "AX" little-endian
SHORTHANDS = {
    "_c": "Study Centre",
    "_s": "Study Code",
    "_i": "Investigator",
    "_x": "Exercise Code",
    "_v": "Volunteer Num",
    "_p": "Body Location",
    "_so": "Setup Operator",
    "_n": "Notes",
    "_b": "Start time",
    "_e": "End time",
    "_ro": "Recovery Operator",
    "_r": "Retrieval Time",
    "_co": "Comments",
    "_sc": "Subject Code",
    "_se": "Sex",
    "_h": "Height",
    "_w": "Weight",
    "_ha": "Handedness",
    "_sn": "Subject Notes",
}


class CwaError(ValueError):
    """The file is not a readable ``.cwa`` file at all (bad header or no valid sector)."""


@dataclass
class Recording:
    """A whole file's samples. ``accel`` (and ``gyro``) are decoded arrays; ``time``,
    ``temperature`` and ``light`` are ``PerSample`` arrays computed from the sector timestamps
    and values the file holds for the part asked for, so 7 days of times (484 MB as float64)
    exist only when a caller builds them whole (``np.asarray``)."""

    accel: np.ndarray  # (n, 3) float32, g
    gyro: np.ndarray | None  # (n, 3) float32, degrees/s (AX6)
    expand: Callable[[str], PerSample] = field(repr=False)  # "time", "temperature", "light"
    fs: float  # configured sampling rate, Hz
    accel_range: int  # ±g
    device_id: int
    session_id: int
    device_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    bad_sectors: list[int] = field(default_factory=list)  # 0-based data-sector indices skipped
    segments: list[tuple[int, int]] = field(default_factory=list)  # sample ranges, no gaps inside
    sectors: int = 0
    truncated_bytes: int = 0  # bytes after the last whole sector

    @cached_property
    def time(self) -> PerSample:
        """float64 seconds since the epoch (device clock read as UTC), one per sample."""
        return self.expand("time")

    @cached_property
    def temperature(self) -> PerSample:
        """float32 °C, the sector's value for each of its samples."""
        return self.expand("temperature")

    @cached_property
    def light(self) -> PerSample:
        """uint16 raw 10-bit light, the sector's value for each of its samples."""
        return self.expand("light")


def parse_metadata(raw: bytes) -> dict[str, str]:
    """The header's URL-encoded ``name=value&...`` annotation, shorthand names expanded."""
    text = raw.decode("ascii", errors="replace").rstrip("\x20\xff\x00\ufffd")
    metadata = {}
    for pair in text.split("&"):
        name, _, value = pair.partition("=")
        name = urllib.parse.unquote_plus(name)
        if name:
            metadata[SHORTHANDS.get(name, name)] = urllib.parse.unquote_plus(value)
    return metadata


def rate_of(code: int) -> tuple[float, int]:
    """(sampling rate Hz, ±g range) of a rate code."""
    return 3200.0 / (1 << (15 - (code & 0x0F))), 16 >> (code >> 6)


_DAYS_BEFORE_MONTH = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 0, 0, 0])


def unix_seconds(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed RTC values (``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss``) as seconds since the epoch,
    and whether each is a real calendar time."""
    v = packed.astype(np.int64)
    year = ((v >> 26) & 0x3F) + 2000
    month = (v >> 22) & 0x0F
    day = (v >> 17) & 0x1F
    hour, minute, second = (v >> 12) & 0x1F, (v >> 6) & 0x3F, v & 0x3F
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (hour < 24) & (minute < 60) & (second < 60)
    years_since = year - 1970
    leap_days = (year - 1969) // 4 - (year - 1901) // 100 + (year - 1601) // 400
    leap_this = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = (
        years_since * 365
        + leap_days
        + _DAYS_BEFORE_MONTH[month]
        + np.where(leap_this & (month > 2), 1, 0)
        + day
        - 1
    )
    return ((days * 24 + hour) * 60 + minute) * 60 + second, valid


def _header(raw: bytes) -> dict:
    if len(raw) < HEADER_BYTES or raw[:2] != b"MD":
        raise CwaError("Not a .cwa file: the header does not start with 'MD'.")
    hardware = raw[4]
    device = int.from_bytes(raw[5:7], "little")
    upper = int.from_bytes(raw[11:13], "little")
    if upper != 0xFFFF:
        device |= upper << 16
    sensor = raw[35]
    return {
        "device_type": "AX6" if hardware == 0x64 else "AX3",
        "device_id": device,
        "session_id": int.from_bytes(raw[7:11], "little"),
        "rate_code": raw[36],
        "gyro_range": 8000 / 2 ** (sensor & 0x0F) if sensor not in (0x00, 0xFF) else 0.0,
        "metadata": parse_metadata(raw[64:512]),
    }


META_FIELDS = [
    "device_fractional",
    "session_id",
    "sequence_id",
    "timestamp",
    "light_scale",
    "temperature",
    "rate_code",
    "num_axes_bps",
    "timestamp_offset",
    "sample_count",
]
SCAN_SECTORS = 65536  # 32 MB of the file at a time


def release(records: np.memmap, start: int, stop: int) -> None:
    """Let the kernel drop the pages of sectors ``start..stop-1`` once they are read: the file
    is read through a shared map, so without this a week at 100 Hz (246 MB) stays resident and
    counts in the process's peak memory."""
    mapping = getattr(records, "_mmap", None)
    if mapping is None or not hasattr(mmap, "MADV_DONTNEED"):
        return
    base = records.offset - records.offset % mmap.ALLOCATIONGRANULARITY
    first = records.offset - base + start * SECTOR_BYTES
    last = records.offset - base + stop * SECTOR_BYTES
    page = mmap.PAGESIZE
    first -= first % page
    last = min(len(mapping), last + (-last) % page)
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


def _valid_sectors(path: Path, sectors: int) -> tuple[np.ndarray, np.memmap, np.ndarray]:
    """Per sector: header, length and checksum correct; the sector records themselves (mapped,
    read on demand); and a compact copy of every sector's header fields."""
    records = np.memmap(path, dtype=SECTOR, mode="r", offset=HEADER_BYTES, shape=(sectors,))
    words = np.memmap(path, dtype="<u2", mode="r", offset=HEADER_BYTES, shape=(sectors, 256))
    ok = np.empty(sectors, dtype=bool)
    meta = np.empty(sectors, dtype=[(name, SECTOR.fields[name][0]) for name in META_FIELDS])
    for start in range(0, sectors, SCAN_SECTORS):
        stop = min(sectors, start + SCAN_SECTORS)
        checksum = words[start:stop].sum(axis=1, dtype=np.uint64) & 0xFFFF
        head = records[start:stop]
        ok[start:stop] = (
            (checksum == 0) & (head["packet_header"] == AX) & (head["packet_length"] == 508)
        )
        for name in META_FIELDS:
            meta[name][start:stop] = head[name]
        release(words, start, stop)
        release(records, start, stop)
    return ok, records, meta


def _samples_per_sector(num_axes_bps: int) -> tuple[int, int, bool]:
    """(channels, samples per full sector, packed)."""
    channels = (num_axes_bps >> 4) & 0x0F
    packed = (num_axes_bps & 0x0F) == 0
    if packed:
        return 3, 120, True
    return channels, 480 // (2 * channels), False


def _segment_times(
    anchors_index: np.ndarray, anchors_time: np.ndarray, start: int, stop: int, fs: float
) -> np.ndarray:
    """Times of samples ``start..stop-1`` from (sample index, time) anchors of one segment:
    linear between anchors, extrapolated at each end with the nearest inter-anchor rate."""
    index = np.arange(start, stop, dtype=np.float64)
    if len(anchors_index) == 1:
        return anchors_time[0] + (index - anchors_index[0]) / fs
    times = np.interp(index, anchors_index, anchors_time)
    head = index < anchors_index[0]
    if head.any():
        slope = (anchors_time[1] - anchors_time[0]) / (anchors_index[1] - anchors_index[0])
        times[head] = anchors_time[0] + (index[head] - anchors_index[0]) * slope
    tail = index > anchors_index[-1]
    if tail.any():
        slope = (anchors_time[-1] - anchors_time[-2]) / (anchors_index[-1] - anchors_index[-2])
        times[tail] = anchors_time[-1] + (index[tail] - anchors_index[-1]) * slope
    return times


@dataclass(frozen=True)
class Chunk:
    """Consecutive samples of one segment (no time gap inside), for streaming consumers."""

    time: np.ndarray
    accel: np.ndarray
    gyro: np.ndarray | None
    temperature: np.ndarray
    light: np.ndarray
    segment: int  # index into ``CwaFile.segments``


class CwaFile:
    """An opened ``.cwa`` file: header facts and the sector index are read at once; samples are
    decoded on demand, whole (``read``) or chunk by chunk (``chunks``) so a week at 100 Hz can be
    processed holding one chunk in memory."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        size = self.path.stat().st_size
        with self.path.open("rb") as handle:
            header = _header(handle.read(HEADER_BYTES))
        sectors = max(0, (size - HEADER_BYTES) // SECTOR_BYTES)
        self.sectors = sectors
        self.truncated_bytes = max(0, size - HEADER_BYTES - sectors * SECTOR_BYTES)
        if sectors == 0:
            raise CwaError("The file has a header but no data sector.")
        ok, self._records, meta = _valid_sectors(self.path, sectors)
        if not ok.any():
            raise CwaError(f"None of the {sectors} data sectors is valid.")
        first = meta[int(np.argmax(ok))]
        num_axes_bps, rate_code = int(first["num_axes_bps"]), int(first["rate_code"])
        self.channels, self._per_sector, self._packed = _samples_per_sector(num_axes_bps)
        self.fs, self.accel_range = rate_of(rate_code)
        self.device_id = header["device_id"]
        self.device_type = header["device_type"]
        self.metadata = header["metadata"]
        seconds, calendar_ok = unix_seconds(meta["timestamp"])
        counts = meta["sample_count"].astype(np.int64)
        ok &= (
            (meta["num_axes_bps"] == num_axes_bps)
            & (meta["rate_code"] == rate_code)
            & calendar_ok
            & (counts > 0)
            & (counts <= self._per_sector)
        )
        good = np.flatnonzero(ok)
        self._good = good
        self.bad_sectors: list[int] = np.flatnonzero(~ok).tolist()
        self._counts = counts[good]
        self._first_sample = np.concatenate([[0], np.cumsum(self._counts)[:-1]])
        self.n_samples = int(self._counts.sum())

        # Anchors: the whole-second timestamp (plus its fraction) is valid at sample
        # ``timestamp_offset`` of the sector; a true fraction undoes the firmware's shift.
        fractional = meta["device_fractional"][good].astype(np.int64)
        has_fraction = (fractional & 0x8000) != 0
        fraction = np.where(has_fraction, (fractional & 0x7FFF) << 1, 0)
        offset = meta["timestamp_offset"][good].astype(np.int64) + np.where(
            has_fraction, (fraction * int(self.fs)) >> 16, 0
        )
        self._anchor_time = seconds[good] + fraction / 65536.0
        self._anchor_index = (self._first_sample + offset).astype(np.float64)

        # Segments: break at a skipped sector, a session change or a sequence break.
        sequence = meta["sequence_id"][good].astype(np.int64)
        session = meta["session_id"][good]
        self.session_id = int(session[0])
        breaks = (np.diff(good) != 1) | (np.diff(sequence) != 1) | (session[1:] != session[:-1])
        self._seg_starts = np.concatenate([[0], np.flatnonzero(breaks) + 1])
        self._seg_ends = np.concatenate([self._seg_starts[1:], [len(good)]])
        self.segments = [
            (int(self._first_sample[s]), int(self._first_sample[e - 1] + self._counts[e - 1]))
            for s, e in zip(self._seg_starts, self._seg_ends, strict=True)
        ]

        self._temperature = (meta["temperature"][good] & 0x3FF).astype(
            np.float32
        ) * 75.0 / 256.0 - 50.0
        self._light = (meta["light_scale"][good] & 0x3FF).astype(np.uint16)
        scale = meta["light_scale"][good].astype(np.int64)
        self._accel_unit = (1 << (8 + ((scale >> 13) & 0x07))).astype(np.float64)
        gyro_code = (scale >> 10) & 0x07
        self._gyro_range = np.where(
            gyro_code != 0, 8000.0 / (1 << gyro_code), header["gyro_range"] or 2000.0
        )

    @property
    def start_time(self) -> float:
        return float(self._segment_times(0, 0, 1)[0])

    @property
    def end_time(self) -> float:
        last = len(self.segments) - 1
        return float(self._segment_times(last, self.n_samples - 1, self.n_samples)[0])

    def _segment_times(
        self, segment: int, start: int, stop: int, out: np.ndarray | None = None
    ) -> np.ndarray:
        s, e = self._seg_starts[segment], self._seg_ends[segment]
        out = np.empty(stop - start, dtype=np.float64) if out is None else out
        for part in range(start, stop, TIME_CHUNK):  # bounded temporaries on long segments
            end = min(stop, part + TIME_CHUNK)
            out[part - start : end - start] = _segment_times(
                self._anchor_index[s:e], self._anchor_time[s:e], part, end, self.fs
            )
        return out

    def _decode(
        self, a: int, b: int, accel: np.ndarray | None = None, gyro: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Acceleration (and gyro) of good sectors ``a..b-1`` (positions in the good list),
        written into ``accel``/``gyro`` when given (slices of a whole recording)."""
        rows = self._good[a:b]
        n = self._counts[a:b]
        total = int(n.sum())
        raw = np.frombuffer(
            self._records[rows]["data"].tobytes(), dtype="<u4" if self._packed else "<i2"
        )
        release(self._records, int(rows[0]), int(rows[-1]) + 1)
        full = bool((n == self._per_sector).all())  # no partly filled sector: no mask needed
        keep = None if full else np.arange(self._per_sector)[None, :] < n[:, None]
        if accel is None:
            accel = np.empty((total, 3), dtype=np.float32)
        if gyro is None and self.channels >= 6:
            gyro = np.empty((total, 3), dtype=np.float32)
        if self._packed:
            v = raw if full else raw.reshape(len(rows), self._per_sector)[keep]
            # Per sample: 2**exponent / (the sector's counts per g), then three 10-bit axes.
            scale = np.left_shift(1, (v >> 30).astype(np.int32)).astype(np.float32)
            scale /= np.repeat(self._accel_unit[a:b].astype(np.float32), n)
            for axis, shift in enumerate((0, 10, 20)):
                counts = ((v >> shift) & 0x3FF).astype(np.int16)
                counts ^= 0x200
                counts -= 0x200
                np.multiply(counts, scale, out=accel[:, axis], casting="unsafe")
        else:
            unit = np.repeat(self._accel_unit[a:b], n)[:, None]
            v = raw.reshape(len(rows), self._per_sector, self.channels)
            v = v.reshape(-1, self.channels) if full else v[keep]
            accel_axis = 3 if self.channels >= 6 else 0
            accel[:] = v[:, accel_axis : accel_axis + 3] / unit
            if gyro is not None:
                dps = np.repeat(self._gyro_range[a:b], n)[:, None]
                gyro[:] = v[:, 0:3] * dps / 32768.0
        return accel, gyro

    def _expand(self, name: str) -> PerSample:
        """One value per sample of the whole file, computed for the part asked for: times, or
        the sectors' temperature or light."""
        if name == "time":
            return PerSample(self.n_samples, np.float64, self._times)
        values = {"temperature": self._temperature, "light": self._light}[name]
        return PerSample(
            self.n_samples, values.dtype, lambda a, b: self._per_sector_values(values, a, b)
        )

    def _times(self, start: int, stop: int) -> np.ndarray:
        """Times of samples ``start..stop-1``, across segments."""
        out = np.empty(stop - start, dtype=np.float64)
        for segment, (first, end) in enumerate(self.segments):
            low, high = max(start, first), min(stop, end)
            if low < high:
                self._segment_times(segment, low, high, out[low - start : high - start])
        return out

    def _per_sector_values(self, values: np.ndarray, start: int, stop: int) -> np.ndarray:
        """A per-sector value repeated for each of samples ``start..stop-1``."""
        first = int(np.searchsorted(self._first_sample, start, side="right")) - 1
        last = int(np.searchsorted(self._first_sample, stop - 1, side="right")) - 1
        repeated = np.repeat(values[first : last + 1], self._counts[first : last + 1])
        skip = start - int(self._first_sample[first])
        return repeated[skip : skip + stop - start]

    def chunks(self, chunk_sectors: int = 2048) -> Iterator[Chunk]:
        """Samples in time order, at most ``chunk_sectors`` sectors at a time, never spanning
        two segments."""
        for segment, (s, e) in enumerate(zip(self._seg_starts, self._seg_ends, strict=True)):
            for a in range(int(s), int(e), chunk_sectors):
                b = min(int(e), a + chunk_sectors)
                start = int(self._first_sample[a])
                stop = int(self._first_sample[b - 1] + self._counts[b - 1])
                accel, gyro = self._decode(a, b)
                n = self._counts[a:b]
                yield Chunk(
                    time=self._segment_times(segment, start, stop),
                    accel=accel,
                    gyro=gyro,
                    temperature=np.repeat(self._temperature[a:b], n),
                    light=np.repeat(self._light[a:b], n),
                    segment=segment,
                )

    def read(self, chunk_sectors: int = 2048) -> Recording:
        """The whole file: samples decoded straight into one array (no per-chunk copies)."""
        total = self.n_samples
        accel = np.empty((total, 3), dtype=np.float32)
        gyro = np.empty((total, 3), dtype=np.float32) if self.channels >= 6 else None
        for a in range(0, len(self._good), chunk_sectors):
            b = min(len(self._good), a + chunk_sectors)
            start = int(self._first_sample[a])
            stop = int(self._first_sample[b - 1] + self._counts[b - 1])
            self._decode(a, b, accel[start:stop], None if gyro is None else gyro[start:stop])
        return Recording(
            accel=accel,
            gyro=gyro,
            expand=self._expand,
            fs=self.fs,
            accel_range=self.accel_range,
            device_id=self.device_id,
            session_id=self.session_id,
            device_type=self.device_type,
            metadata=self.metadata,
            bad_sectors=self.bad_sectors,
            segments=self.segments,
            sectors=self.sectors,
            truncated_bytes=self.truncated_bytes,
        )


def read_cwa(path: str | os.PathLike[str], chunk_sectors: int = 2048) -> Recording:
    """Read a whole ``.cwa`` file (corrupt sectors skipped and reported)."""
    return CwaFile(path).read(chunk_sectors)
