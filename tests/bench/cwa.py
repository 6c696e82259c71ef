"""Reading a synthetic 7-day 100 Hz AX3 file (~60 M samples): wall time and peak memory of a
fresh process (reading; reading with every time and temperature computed, as skdh returns them,
walked block by block; streaming into epochs; the whole sleep scoring with its nights), and
skdh's reader on the same file when it is installed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DAYS = float(os.environ.get("BENCH_CWA_DAYS", "7"))
FS = 100.0
# skdh pulls in SciPy, pandas and h5py; it may live in a virtual environment of its own.
SKDH_PYTHON = os.environ.get("BENCH_SKDH_PYTHON", sys.executable)

CHILD = """
import resource, sys, time
start = time.perf_counter()
if sys.argv[2] == "ours":
    from outcomes.actigraphy import read_cwa
    samples = len(read_cwa(sys.argv[1]).accel)
elif sys.argv[2] == "ours-with-time":  # what skdh returns: times, acceleration, temperature
    # Every time and temperature is computed and looked at, block by block (PerSample).
    import numpy as np
    from outcomes.actigraphy import read_cwa
    recording = read_cwa(sys.argv[1])
    samples = len(recording.accel)
    last, seen = -np.inf, 0
    for (_first, times), (_, temperature) in zip(
        recording.time.chunks(), recording.temperature.chunks()
    ):
        assert times[0] > last and (np.diff(times) > 0).all() and np.isfinite(temperature).all()
        last, seen = times[-1], seen + len(times)
    assert seen == samples == len(recording.temperature)
elif sys.argv[2] == "ours-streaming-epochs":
    from outcomes.actigraphy import CwaFile
    from outcomes.actigraphy.epochs import epochs_from_cwa
    samples = int(epochs_from_cwa(CwaFile(sys.argv[1])).samples.sum())
elif sys.argv[2] == "ours-sleep-scoring":
    from outcomes.actigraphy import CwaFile
    from outcomes.actigraphy.epochs import epochs_from_cwa
    from outcomes.actigraphy.nights import summarise
    epochs = epochs_from_cwa(CwaFile(sys.argv[1]))
    nights, _ = summarise(epochs, [])
    longest = max((n.spt_min or 0) for n in nights)
    assert longest <= 24 * 60, longest
    samples = int(epochs.samples.sum())
else:
    from skdh.io import ReadCwa
    samples = len(ReadCwa().predict(file=sys.argv[1])["accel"])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(samples, time.perf_counter() - start, peak_kb)
"""


def _synthetic(path: Path) -> int:
    from outcomes.actigraphy.synthetic import write_cwa

    sectors = int(DAYS * 86400 * FS) // 120
    rng = np.random.default_rng(0)
    start = dt.datetime(2026, 3, 2, 12, 0, 0)
    accel = rng.normal(0, 0.05, (sectors * 120, 3)).astype(np.float32)
    accel[:, 2] += 1.0
    write_cwa(path, accel, start, fs=FS)
    return sectors * 120


def _read(path: Path, reader: str) -> tuple[int, float, float] | None:
    python = SKDH_PYTHON if reader == "skdh" else sys.executable
    result = subprocess.run(
        [python, "-c", CHILD, str(path), reader], capture_output=True, text=True
    )
    if result.returncode != 0:
        return None
    samples, seconds, max_kb = result.stdout.split()
    return int(samples), float(seconds), int(max_kb) / 1024


def rows() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seven-days.cwa"
        wall = time.perf_counter()
        samples = _synthetic(path)
        written = time.perf_counter() - wall
        size_mb = path.stat().st_size / 2**20
        lines = [
            f"| write synthetic {DAYS:g}-day {FS:g} Hz AX3 file | {samples} samples | "
            f"{size_mb:.0f} MB | {written:.1f} s |"
        ]
        ours: dict[str, float] = {}
        readers = ("ours", "ours-with-time", "ours-streaming-epochs", "ours-sleep-scoring", "skdh")
        for reader in readers:
            measured = _read(path, reader)
            if measured is None:
                lines.append(f"| read with {reader} | not installed or failed | | |")
                continue
            count, seconds, peak_mb = measured
            ours[reader] = seconds
            if reader == "skdh" and "ours" in ours and "ours-with-time" in ours:
                reader = (
                    f"skdh (ours {seconds / ours['ours']:.2f}x faster for the acceleration, "
                    f"{seconds / ours['ours-with-time']:.2f}x with times and temperature)"
                )
            lines.append(
                f"| read with {reader} | {count} samples | peak RSS {peak_mb:.0f} MB | "
                f"{seconds:.1f} s |"
            )
    return lines
