"""``python -m imaging measure|segment|run``: masks and metrics from files, no database; JSON with
``--json``. torch is imported only by the commands that run a model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from imaging.cli_models import HANDLERS, add_commands
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
    m.add_argument(
        "--same-acquisition",
        action="store_true",
        help="fat and water are one acquisition with the image (same voxel array) "
        "although their headers disagree; recorded in the provenance",
    )
    m.add_argument("--erode", type=int, default=0, help="in-plane erosion before fat (voxels)")
    m.add_argument("--json", action="store_true", help="print the JSON document")
    s = commands.add_parser("segment", help="label map from a model, on the image's own grid")
    _model_arguments(s)
    s.add_argument("--out", type=Path, required=True, help="LABELS.nii.gz to write")
    r = commands.add_parser("run", help="segment, then measure (the measure JSON + a model block)")
    _model_arguments(r)
    for action in m._actions:  # the measure options, but the labels come from the model
        if action.dest not in ("help", "image", "labels", "label_table") and action.option_strings:
            r._add_action(action)
    r.add_argument("--out", type=Path, help="also write the label map here")
    add_commands(commands)
    return parser


def _model_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--image", type=Path, required=True, help="NIfTI file or DICOM folder")
    command.add_argument(
        "--model", type=Path, required=True, help="MuscleMap CONFIG.json or MONAI bundle folder"
    )
    command.add_argument("--weights", type=Path, help="state dict .pth (default: beside CONFIG)")
    command.add_argument("--overlap", type=float, default=0.75, help="sliding-window overlap")
    command.add_argument("--batch-size", type=int, default=16, help="windows per forward pass")
    command.add_argument("--threads", type=int, default=0, help="CPU threads (0: all allowed)")
    command.add_argument("--no-largest-component", action="store_true",
                         help="keep every connected piece of each label")  # fmt: skip
    command.add_argument(
        "--random-weights", type=int, metavar="SEED",
        help="untrained weights from SEED (tests only; masks are meaningless)",
    )  # fmt: skip


def _segment(args: argparse.Namespace) -> tuple[object, object, object]:
    """(image, labels volume, model) for ``segment`` and ``run``."""
    from imaging.segmentation import InferenceSettings, load_model, segment

    weights = args.weights
    if weights is None and args.random_weights is None and not args.model.is_dir():
        weights = args.model.with_suffix(".pth")
    model = load_model(args.model, weights, random_seed=args.random_weights)
    image = load_image(args.image)
    settings = InferenceSettings(overlap=args.overlap, batch_size=args.batch_size,
                                 largest_component=not args.no_largest_component,
                                 threads=args.threads)  # fmt: skip
    labels = image.with_array(segment(image, model, settings))
    if args.out is not None:
        from imaging.volume import save_nifti

        save_nifti(labels, args.out)
    return image, labels, model


def run_segment(args: argparse.Namespace) -> dict:
    _image, labels, model = _segment(args)
    return {"labels": str(args.out), "shape": list(labels.shape), "model": model.provenance()}


def run_model(args: argparse.Namespace) -> dict:
    """Segment and measure: the ``measure`` document with the model that made the mask."""
    image, labels, model = _segment(args)
    discs = _discs(args)
    result = measure(
        MeasureInputs(image=image, labels=labels, table=model.config.labels, discs=discs,
                      fat_method=args.fat_method, erode=args.erode,
                      fat=load_image(args.fat) if args.fat else None,
                      water=load_image(args.water) if args.water else None,
                      same_acquisition=args.same_acquisition)
    )  # fmt: skip
    return {**result.to_json(), "model": {**model.provenance(), "overlap": args.overlap}}


def _discs(args: argparse.Namespace) -> dict | None:
    if args.levels is None:
        return None
    try:
        return parse_discs(json.loads(args.levels.read_text()))
    except (OSError, json.JSONDecodeError) as error:
        raise ImagingError(f"levels {args.levels}: {error}") from error


def run_measure(args: argparse.Namespace) -> dict:
    discs = _discs(args)
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
            same_acquisition=args.same_acquisition,
        )
    ).to_json()


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
    command = {"measure": run_measure, "segment": run_segment, "run": run_model, **HANDLERS}[
        args.command
    ]
    try:
        result = command(args)
    except ImagingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command in ("segment", *HANDLERS):
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0
