"""``python -m imaging measure``: metrics from files, no database; JSON with ``--json``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from imaging.errors import ImagingError
from imaging.io import load_image
from imaging.labels import load_label_table
from imaging.metrics.fat import METHODS
from imaging.metrics.levels import parse_discs
from imaging.metrics.measure import MeasureInputs, measure


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m imaging")
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("measure", help="CSA, volume and fat per muscle, side and level")
    m.add_argument("--image", type=Path, required=True, help="NIfTI file or DICOM series folder")
    m.add_argument("--labels", type=Path, required=True, help="label map on the image's grid")
    m.add_argument("--label-table", type=Path, help="MuscleMap label table JSON")
    m.add_argument("--levels", type=Path, help='{"discs": {"L4-L5": [x, y, z], ...}} (LPS mm)')
    m.add_argument("--fat-method", choices=METHODS, default="gmm3")
    m.add_argument("--fat", type=Path, help="Dixon fat image")
    m.add_argument("--water", type=Path, help="Dixon water image")
    m.add_argument("--erode", type=int, default=0, help="in-plane erosion before fat (voxels)")
    m.add_argument("--json", action="store_true", help="print the JSON document")
    return parser


def run_measure(args: argparse.Namespace) -> dict:
    discs = None
    if args.levels is not None:
        try:
            discs = parse_discs(json.loads(args.levels.read_text()))
        except (OSError, json.JSONDecodeError) as error:
            raise ImagingError(f"levels {args.levels}: {error}") from error
    return measure(
        MeasureInputs(
            image=load_image(args.image),
            labels=load_image(args.labels),
            table=load_label_table(args.label_table),
            discs=discs,
            fat_method=args.fat_method,
            erode=args.erode,
            fat=load_image(args.fat) if args.fat else None,
            water=load_image(args.water) if args.water else None,
        )
    )


def _table(result: dict) -> str:
    lines = [f"{'muscle':<22}{'side':<7}{'volume mm3':>12}{'fat %':>8}{'slices':>8}"]
    for row in result["muscles"]:
        fat = "-" if row["fat_fraction_pct"] is None else f"{row['fat_fraction_pct']:.1f}"
        lines.append(
            f"{row['muscle']:<22}{row['side']:<7}{row['volume_mm3']:>12.0f}"
            f"{fat:>8}{row['n_slices']:>8}"
        )
    lines += [f"QC: {flag}" for flag in result["qc_flags"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = run_measure(args)
    except ImagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0
