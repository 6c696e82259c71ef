"""``make model``: the default model, evaluated leave-one-subject-out, then trained on everything.

Sources (``sources.py``): the shared T2 sample, the MyoSegmenTUM Dixon subject (in-phase, water and
fat images of one scan), two MuscleMap label maps painted with random contrasts, and a few lumbar
phantoms. Every run uses domain randomisation (``synthesis.py``): tissue clusters painted with
random intensities, bias fields, gamma, blur and noise, so that the model learns anatomy rather
than one contrast.

1. ``without_t2``: trained on Dixon + label maps + phantoms, tested on every T2 slice.
2. ``without_dixon``: trained on T2 + label maps + phantoms, tested on every slice of each Dixon
   contrast, with the Dixon fat fraction from the model's masks against the manual masks'.
3. ``all``: every source; the shipped model (its phantom figure on 10 unseen phantoms).

The confidence thresholds of ``imaging.segmentation.confidence`` are calibrated on the runs of
steps 1 and 2 (subjects those models never saw) and written into the model's JSON. Training is
budgeted in steps, so the same machine type gives the same weights.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).parent
# Training steps of each fold and of the shipped model (the card's recipe states the same).
STEPS = 9000
FOLDS = {
    "without_t2": ("dixon", "synth", "phantoms"),
    "without_dixon": ("t2", "synth", "phantoms"),
    "all": ("t2", "dixon", "synth", "phantoms"),
}


def _run(*args: str) -> None:
    from imaging.cli import main

    if main(list(args)) != 0:
        raise SystemExit(f"python -m imaging {' '.join(args)} failed")


def _merge(folders: list[Path], out: Path) -> Path:
    for kind in ("images", "labels"):
        (out / kind).mkdir(parents=True, exist_ok=True)
        for folder in folders:
            for source in sorted((folder / kind).iterdir()):
                shutil.copy(source, out / kind / source.name)
    return out


def options(steps: int, seed: int) -> object:
    from imaging.segmentation.synthesis import Synthesis
    from imaging.segmentation.train import TrainOptions

    return TrainOptions(max_minutes=10_000, max_steps=steps, seed=seed, threads=2, crop=96,
                        evaluate_every=max(100, steps // 8), synthesis=Synthesis(),
                        balance_sources=True, learning_rate=2e-3)  # fmt: skip


def train_fold(name: str, data: Path, work: Path, steps: int, seed: int) -> Path:
    from imaging.segmentation.train import train

    out = work / name
    validation = (work / "val" / "images", work / "val" / "labels")
    train(data / "images", data / "labels", HERE / "architecture.json", out,
          options(steps, seed), validation=validation)  # fmt: skip
    return out / "model.json"


def _evaluate(model: Path, folder: Path, only: str | None = None) -> dict:
    from imaging.segmentation.data import load_subjects
    from imaging.segmentation.evaluate import evaluate
    from imaging.segmentation.model import load_model

    subjects = [s for s in load_subjects(folder / "images", folder / "labels")
                if only is None or s.name == only]  # fmt: skip
    return evaluate(load_model(model, model.with_suffix(".pth")), subjects)


def fat_fraction_errors(model: Path, shared: Path) -> dict[str, dict[str, float]]:
    """Dixon fat fraction (voxel-wise F/(F+W), mean over the mask) with the model's masks from
    each contrast minus the same with the manual masks, in percentage points, per muscle."""
    from imaging.metrics.fat import fat_dixon
    from imaging.segmentation.default.sources import dixon_images
    from imaging.segmentation.infer import segment
    from imaging.segmentation.model import load_model

    loaded = load_model(model, model.with_suffix(".pth"))
    images, labels = dixon_images(shared)
    fat, water, truth = (images["fat"].canonical().array, images["water"].canonical().array,
                         labels.canonical().array)  # fmt: skip
    out: dict[str, dict[str, float]] = {}
    for contrast, image in images.items():
        predicted = image.with_array(segment(image, loaded)).canonical().array
        out[contrast] = {}
        for label in loaded.config.labels:
            manual_mask, model_mask = truth == label.value, predicted == label.value
            name = f"{label.muscle}_{label.side}"
            if not model_mask.any():
                out[contrast][name] = None  # nothing drawn: no fat fraction at all
                continue
            manual = float(fat_dixon(fat, water, manual_mask)[manual_mask].mean())
            automatic = float(fat_dixon(fat, water, model_mask)[model_mask].mean())
            out[contrast][name] = round(100 * (automatic - manual), 3)
    return out


def build(shared: Path, work: Path, out: Path, steps: int, seed: int = 1) -> dict:
    from imaging.segmentation.default import sources

    shutil.rmtree(work, ignore_errors=True)
    groups = {k: Path(v) for k, v in sources.lay_out(shared, work).items()}
    _run("phantom", "--out", str(work / "phantoms"), "--n", "6", "--seed", "1000")
    _run("phantom", "--out", str(work / "val"), "--n", "2", "--seed", "2000")
    _run("phantom", "--out", str(work / "test"), "--n", "10", "--seed", "3000")
    groups["phantoms"] = work / "phantoms"
    models = {}
    for fold, parts in FOLDS.items():
        data = _merge([groups[p] for p in parts], work / f"data-{fold}")
        models[fold] = train_fold(fold, data, work, steps, seed)
    loso = {"T2 (MuscleMap sample, all 20 slices), model trained without it":
            _evaluate(models["without_t2"], groups["t2"])["mean"]}  # fmt: skip
    for contrast in sources.DIXON_CONTRASTS:
        key = f"Dixon {contrast} (MyoSegmenTUM TUM01, all 29 slices), model trained without it"
        loso[key] = _evaluate(models["without_dixon"], groups["dixon"], f"dixon_{contrast}")["mean"]
    document = json.loads(models["all"].read_text())
    phantoms = _evaluate(models["all"], work / "test")["mean"]
    document["evaluation"] = {**loso, "phantoms (10 unseen subjects), final model": phantoms}
    document["fat_fraction_error_pp"] = fat_fraction_errors(models["without_dixon"], shared)
    document["folds"] = {
        fold: json.loads(path.read_text())["training"]["train_subjects"]
        for fold, path in models.items()
    }
    document["confidence"] = calibrate(models, groups)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(models["all"].with_suffix(".pth"), out / "model.pth")
    (out / "model.json").write_text(json.dumps(document, indent=2) + "\n")
    write_card(out, document)
    return {"evaluation": document["evaluation"], "fat": document["fat_fraction_error_pp"],
            "confidence": document["confidence"]}  # fmt: skip


def calibrate(models: dict[str, Path], groups: dict[str, Path]) -> dict:
    """Confidence scores of the left-out runs and the threshold set from them (see
    ``imaging.segmentation.confidence.calibrate``)."""
    from imaging.segmentation.confidence import Thresholds, assess, calibrate_threshold
    from imaging.segmentation.data import load_subjects
    from imaging.segmentation.evaluate import compare
    from imaging.segmentation.infer import probabilities
    from imaging.segmentation.model import load_model

    runs = []
    for fold, group in (("without_t2", "t2"), ("without_dixon", "dixon")):
        model = load_model(models[fold], models[fold].with_suffix(".pth"))
        for subject in load_subjects(groups[group] / "images", groups[group] / "labels"):
            soft = probabilities(subject.image, model, _settings())
            report = assess(subject.image.canonical(), soft, model.config.labels, Thresholds())
            truth = subject.labels.canonical().array
            dice = min(compare(report.labels, truth, subject.image.canonical().spacing,
                               label.value)["dice"] for label in model.config.labels
                       if label.muscle == "multifidus")  # fmt: skip
            runs.append({"subject": subject.name, "score": report.score, "dice": dice})
    threshold = calibrate_threshold([(r["score"], r["dice"]) for r in runs])
    return {"runs": runs, "thresholds": asdict(Thresholds(min_score=threshold))}


def _settings() -> object:
    from imaging.segmentation.infer import InferenceSettings

    return InferenceSettings()


def write_card(out: Path, document: dict) -> None:
    from imaging.segmentation.default.card import card

    (out / "MODEL_CARD.md").write_text(card(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get(
        "SHARED_DATA_DIR", Path(__file__).parents[4] / "shared" / "data")))  # fmt: skip
    parser.add_argument("--work", type=Path, default=Path("var/model-build"))
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    figures = build(args.shared, args.work, args.out, args.steps)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
