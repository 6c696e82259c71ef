"""``python -m imaging phantom|train|evaluate``: synthetic data, training and evaluation from
folders, no database (torch is imported only when a command runs)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_commands(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("phantom", help="lumbar-like phantoms with exact truth")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n", type=int, required=True, help="how many subjects")
    p.add_argument("--seed", type=int, default=0, help="first subject's seed")
    p.add_argument("--slices", type=int, default=12)
    p.add_argument("--dicom", action="store_true", help="images as DICOM series folders")
    t = commands.add_parser("train", help="train or fine-tune; writes MuscleMap-format model")
    t.add_argument("--images", type=Path, required=True)
    t.add_argument("--labels", type=Path, required=True)
    t.add_argument("--config", type=Path, required=True, help="architecture, roi, labels (JSON)")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--init", type=Path, help="start from these weights (fine-tuning)")
    t.add_argument("--max-minutes", type=float, default=10.0)
    t.add_argument("--max-steps", type=int, default=0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=0)
    t.add_argument("--crop", type=int, default=64, help="training crop size (pixels)")
    t.add_argument(
        "--domain-randomisation",
        action="store_true",
        help="paint tissue clusters with random contrasts (imaging.segmentation."
        "synthesis); subjects named synth-* are label maps with a drawn background",
    )
    t.add_argument("--val-images", type=Path, help="validate on these subjects instead of a share")
    t.add_argument("--val-labels", type=Path)
    e = commands.add_parser("evaluate", help="Dice, HD95, CSA and volume error per label")
    e.add_argument("--model", type=Path, required=True, help="MuscleMap-format CONFIG.json")
    e.add_argument("--weights", type=Path, help="state dict (default: beside CONFIG)")
    e.add_argument("--images", type=Path, required=True)
    e.add_argument("--labels", type=Path, required=True)
    e.add_argument("--overlap", type=float, help="sliding-window overlap (default: the pipeline's)")
    e.add_argument("--json", action="store_true")


def run_phantom(args: argparse.Namespace) -> dict:
    from imaging.dicom.writer import write_dicom_series
    from imaging.phantoms.lumbar import lumbar_phantom
    from imaging.volume import save_nifti

    for folder in ("images", "labels", "truth"):
        (args.out / folder).mkdir(parents=True, exist_ok=True)
    names = []
    for index in range(args.n):
        seed = args.seed + index
        name = f"phantom_{seed:04d}"
        subject = lumbar_phantom(seed, slices=args.slices)
        if args.dicom:
            scaled = subject.image.with_array(subject.image.array.round().astype("uint16"))
            write_dicom_series(scaled, args.out / "images" / name, PatientID=name,
                               SeriesDescription="t2 tra phantom")  # fmt: skip
        else:
            save_nifti(subject.image, args.out / "images" / f"{name}.nii.gz")
        save_nifti(subject.labels, args.out / "labels" / f"{name}.nii.gz")
        (args.out / "truth" / f"{name}.json").write_text(json.dumps(subject.truth(), indent=1))
        names.append(name)
    return {"out": str(args.out), "subjects": names}


def run_train(args: argparse.Namespace) -> dict:
    from imaging.segmentation.synthesis import Synthesis
    from imaging.segmentation.train import TrainOptions, train

    synthesis = Synthesis() if args.domain_randomisation else None
    options = TrainOptions(max_minutes=args.max_minutes, max_steps=args.max_steps,
                           seed=args.seed, threads=args.threads, crop=args.crop,
                           synthesis=synthesis)  # fmt: skip
    validation = (args.val_images, args.val_labels) if args.val_images else None
    return train(args.images, args.labels, args.config, args.out, options, init=args.init,
                 validation=validation)  # fmt: skip


def run_evaluate(args: argparse.Namespace) -> dict:
    from imaging.segmentation import InferenceSettings
    from imaging.segmentation.evaluate import evaluate_folders

    settings = None if args.overlap is None else InferenceSettings(overlap=args.overlap)
    return evaluate_folders(args.model, args.images, args.labels, args.weights, settings)


HANDLERS = {"phantom": run_phantom, "train": run_train, "evaluate": run_evaluate}
