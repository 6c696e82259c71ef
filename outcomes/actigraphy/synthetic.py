"""Writing valid packed AX3 ``.cwa`` files from arrays: test fixtures and benchmark inputs made on
the fly (no multi-day recording is public, and binaries stay out of the repository)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import numpy as np

from outcomes.actigraphy.cwa import HEADER_BYTES, SECTOR

SAMPLES_PER_SECTOR = 120


def rate_code(fs: float, accel_range: int = 8) -> int:
    exponent = {3200.0 / (1 << (15 - c)): c for c in range(16)}
    if fs not in exponent:
        raise ValueError(f"{fs} Hz is not an AX3 rate (3200 / 2^n).")
    return ({16: 0, 8: 1, 4: 2, 2: 3}[accel_range] << 6) | exponent[fs]


def pack_time(seconds: np.ndarray) -> np.ndarray:
    """Whole seconds since the epoch as packed RTC values (the device clock read as UTC)."""
    moments = seconds.astype("datetime64[s]")
    years = moments.astype("datetime64[Y]").astype(np.int64) + 1970
    months = moments.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (moments - moments.astype("datetime64[M]")).astype("timedelta64[D]").astype(np.int64) + 1
    in_day = (moments - moments.astype("datetime64[D]")).astype(np.int64)
    hours, minutes, secs = in_day // 3600, in_day // 60 % 60, in_day % 60
    packed = (
        ((years - 2000) << 26)
        | (months << 22)
        | (days << 17)
        | (hours << 12)
        | (minutes << 6)
        | secs
    )
    return packed.astype(np.uint32)


def _pack_samples(accel: np.ndarray) -> np.ndarray:
    """(n, 3) g -> packed uint32 (10-bit signed per axis in 1/256 g, shared 2-bit exponent)."""
    value = np.rint(np.asarray(accel, dtype=np.float64) * 256).astype(np.int64)
    need = np.max(np.abs(value), axis=1)
    exponent = np.select([need < 512, need < 1024, need < 2048], [0, 1, 2], 3)
    scaled = np.clip(value >> exponent[:, None], -512, 511) & 0x3FF
    return (scaled[:, 0] | (scaled[:, 1] << 10) | (scaled[:, 2] << 20) | (exponent << 30)).astype(
        np.uint32
    )


def write_cwa(
    path: str | os.PathLike[str],
    accel: np.ndarray,
    start: dt.datetime,
    fs: float = 100.0,
    device_id: int = 12345,
    session_id: int = 1,
    metadata: str = "",
    temperature_c: float = 27.0,
    chunk_sectors: int = 8192,
) -> int:
    """Write ``accel`` (n x 3, g; n a multiple of 120) from ``start`` (naive wall-clock time);
    returns the number of sectors."""
    n = len(accel)
    if n % SAMPLES_PER_SECTOR:
        raise ValueError("Give a whole number of sectors (a multiple of 120 samples).")
    code = rate_code(fs)
    header = bytearray(HEADER_BYTES)
    header[0:2], header[2:4], header[4] = b"MD", (1020).to_bytes(2, "little"), 0x17
    header[5:7] = (device_id & 0xFFFF).to_bytes(2, "little")
    header[7:11] = session_id.to_bytes(4, "little")
    header[11:13] = (device_id >> 16).to_bytes(2, "little")
    header[35], header[36] = 0x00, code
    header[64 : 64 + len(metadata)] = metadata.encode("ascii")
    origin = start.replace(tzinfo=dt.UTC).timestamp()
    sectors = n // SAMPLES_PER_SECTOR
    with open(path, "wb") as handle:
        handle.write(bytes(header))
        for first in range(0, sectors, chunk_sectors):
            count = min(chunk_sectors, sectors - first)
            index = np.arange(first, first + count)
            t_first = origin + index * SAMPLES_PER_SECTOR / fs
            whole = np.floor(t_first)
            fraction = (np.rint((t_first - whole) * 65536).astype(np.int64) & 0xFFFE).clip(0, 65534)
            block = np.zeros(count, dtype=SECTOR)
            block["packet_header"], block["packet_length"] = 0x5841, 508
            block["device_fractional"] = 0x8000 | (fraction >> 1)
            block["session_id"], block["sequence_id"] = session_id, index
            block["timestamp"] = pack_time(whole)
            block["temperature"] = round((temperature_c + 50) * 256 / 75)
            block["rate_code"], block["num_axes_bps"] = code, 0x30
            block["timestamp_offset"] = -((fraction * int(fs)) >> 16)
            block["sample_count"] = SAMPLES_PER_SECTOR
            rows = slice(first * SAMPLES_PER_SECTOR, (first + count) * SAMPLES_PER_SECTOR)
            block["data"] = _pack_samples(accel[rows]).reshape(count, -1).view("V480")[:, 0]
            words = block.view("<u2").reshape(count, 256)
            block["checksum"] = (-(words[:, :255].sum(axis=1, dtype=np.int64))) & 0xFFFF
            handle.write(block.tobytes())
    return sectors


@dataclass(frozen=True)
class PlannedNight:
    """One night of a synthetic week: when the wearer lies still, and one wake bout inside."""

    into_bed: dt.datetime
    sleep: dt.datetime
    wake_bout: tuple[dt.datetime, dt.datetime] | None
    final_wake: dt.datetime
    out_of_bed: dt.datetime


def planned_week(first_evening: dt.date, nights: int = 7) -> list[PlannedNight]:
    """Bedtimes drifting by 10 minutes a night, sleep 30 minutes after lying down, one 20-minute
    awakening at 03:00 and 20 minutes awake in bed in the morning."""
    plan = []
    for k in range(nights):
        evening = dt.datetime.combine(first_evening + dt.timedelta(days=k), dt.time(22, 30))
        into_bed = evening + dt.timedelta(minutes=10 * k)
        morning = dt.datetime.combine(first_evening + dt.timedelta(days=k + 1), dt.time(6, 40))
        bout = morning.replace(hour=3, minute=0)
        plan.append(
            PlannedNight(
                into_bed=into_bed,
                sleep=into_bed + dt.timedelta(minutes=30),
                wake_bout=(bout, bout + dt.timedelta(minutes=20)),
                final_wake=morning + dt.timedelta(minutes=5 * k),
                out_of_bed=morning + dt.timedelta(minutes=5 * k + 20),
            )
        )
    return plan


def week_accel(
    start: dt.datetime,
    days: float,
    fs: float,
    plan: list[PlannedNight],
    not_worn: list[tuple[dt.datetime, dt.datetime]] = (),
    seed: int = 0,
) -> np.ndarray:
    """Wrist acceleration (g) for ``days`` from ``start``: awake, a new arm orientation every
    5 s; asleep, one posture (a turn at 01:30) with 20 mg of sensor noise; not worn, flat on a
    table with 1 mg noise. The length is rounded down to whole sectors."""
    rng = np.random.default_rng(seed)
    epoch_s = 5
    epochs = int(days * 86400 // epoch_s)
    when = np.array([start + dt.timedelta(seconds=epoch_s * i) for i in range(epochs)])
    z_angle = rng.uniform(-70, 70, epochs)  # awake: moving
    azimuth = rng.uniform(0, 2 * np.pi, epochs)
    noise = np.full(epochs, 0.05)
    for night in plan:
        asleep = (when >= night.sleep) & (when < night.final_wake)
        if night.wake_bout is not None:
            asleep &= ~((when >= night.wake_bout[0]) & (when < night.wake_bout[1]))
        turn = night.sleep.replace(hour=1, minute=30) + dt.timedelta(days=1)
        z_angle[asleep] = np.where(when[asleep] < turn, -25.0, 35.0)
        azimuth[asleep] = 1.0
        noise[asleep] = 0.02
    for off, on in not_worn:
        table = (when >= off) & (when < on)
        z_angle[table], azimuth[table], noise[table] = 89.0, 0.0, 0.001
    z = np.sin(np.radians(z_angle))
    horizontal = np.cos(np.radians(z_angle))
    base = np.stack([horizontal * np.cos(azimuth), horizontal * np.sin(azimuth), z], axis=1)
    samples = int(epochs * epoch_s * fs) // SAMPLES_PER_SECTOR * SAMPLES_PER_SECTOR
    epoch_of = (np.arange(samples) / (fs * epoch_s)).astype(np.int64)
    accel = base[epoch_of].astype(np.float32)
    accel += (rng.normal(0, 1, accel.shape) * noise[epoch_of][:, None]).astype(np.float32)
    return accel
