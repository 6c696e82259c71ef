"""Imaging bench: one study from DICOM files to metrics, SEG and overlays, in a fresh process.

Stages on the shared MuscleMap series (20 x 256 x 208, CPU): read + pseudonymise, selection
summary, volume build, measurement (gmm3 and otsu), SEG, overlays. Peak memory is the child's own
VmHWM. The database writes (a few dozen rows) are left out; they are measured by the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import json, sys, time
from pathlib import Path
t = {}
start = time.perf_counter()
import pydicom
from imaging.dicom.deid import pseudonymise
from imaging.dicom.frames import dicom_files
from imaging.io import volume_from_datasets, load_image
from imaging.labels import MUSCLEMAP_ABDOMEN, label_array
from imaging.metrics.measure import MeasureInputs, measure
from imaging.selection.rules import select_series, summarise
from imaging.dicom.seg import write_segmentation
from imaging.qc.overlays import overlay_png
t["import"] = time.perf_counter() - start
folder = Path(sys.argv[1])
mark = time.perf_counter()
files = sorted(dicom_files(folder / "dicom"))
clean = [pseudonymise(pydicom.dcmread(p), "SB-BENCH", "bench-secret") for p in files]
t["read + pseudonymise"] = time.perf_counter() - mark
mark = time.perf_counter()
decisions = select_series([summarise(clean)])
assert decisions[0].chosen
t["select"] = time.perf_counter() - mark
mark = time.perf_counter()
image = volume_from_datasets(clean, [p.name for p in files])
labels = load_image(folder / "labels.nii.gz")
t["volume"] = time.perf_counter() - mark
for method in ("gmm3", "otsu"):
    mark = time.perf_counter()
    result = measure(MeasureInputs(image=image, labels=labels, table=MUSCLEMAP_ABDOMEN,
                                   fat_method=method))
    t["measure " + method] = time.perf_counter() - mark
mark = time.perf_counter()
canonical = label_array(labels.canonical())
seg = write_segmentation(clean, canonical, image, MUSCLEMAP_ABDOMEN, algorithm="bench",
                         algorithm_version="1")
t["SEG"] = time.perf_counter() - mark
mark = time.perf_counter()
for k in range(0, 20, 4):
    overlay_png(image.canonical().array, canonical, MUSCLEMAP_ABDOMEN, k)
t["overlays (5)"] = time.perf_counter() - mark
t["total"] = time.perf_counter() - start
peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"t": t, "peak_mb": peak_kb / 1024}))
"""


def rows() -> list[str]:
    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    folder = Path(os.environ.get("SHARED_DATA_DIR", default)) / "imaging" / "musclemap-lumbar-t2"
    if not folder.is_dir():
        return [f"| (skipped: {folder} absent) | | | |"]
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder)], capture_output=True,
                          text=True, check=True, cwd=root)  # fmt: skip
    report = json.loads(done.stdout.strip().splitlines()[-1])
    lines = [f"| {stage} | MuscleMap series, 20 slices | | {seconds:.2f} s |"
             for stage, seconds in report["t"].items()]  # fmt: skip
    lines.append(f"| peak memory (VmHWM) | one study | {report['peak_mb']:.0f} MB | |")
    return lines


if __name__ == "__main__":
    print("\n".join(rows()))
