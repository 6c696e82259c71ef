"""Train or fine-tune a 2D model on image/label folders and write it in MuscleMap format
(``model.json`` + ``model.pth``) with a training log.

Validation is split by subject (never slices of one person on both sides); left/right flips swap
the side labels; every random choice comes from ``seed`` (same data, seed and step count: the same
weights). Dice per label on the validation subjects is logged at each evaluation and the best
weights are kept.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from monai.losses import DiceCELoss

from imaging.errors import ImagingError
from imaging.segmentation.augment import Augmentation, intensity, view
from imaging.segmentation.config import ModelConfig, load_config
from imaging.segmentation.data import Slices, load_subjects, slices_of
from imaging.segmentation.model import build_network, read_state_dict
from imaging.segmentation.synthesis import (
    SYNTHETIC_PREFIX,
    Synthesis,
    narrow_field_of_view,
    synthesise,
)


def source_of(name: str) -> str:
    """The source a subject belongs to: ``dixon_water`` -> ``dixon``, ``t2`` -> ``t2``; drawn
    label maps and phantoms are one source, the synthetic anatomy, drawn as often as each
    real scan."""
    if name.startswith((SYNTHETIC_PREFIX, "phantom")):
        return "synthetic"
    return name.split("_")[0]


@dataclass(frozen=True)
class TrainOptions:
    max_minutes: float = 10.0
    max_steps: int = 0  # 0: until time runs out
    seed: int = 0
    batch_size: int = 8
    learning_rate: float = 2e-3
    val_fraction: float = 0.2
    evaluate_every: int = 100
    threads: int = 0
    crop: int = 64  # training crops (the network is fully convolutional; inference uses the roi)
    augmentation: Augmentation = field(default_factory=Augmentation)
    # None: no domain randomisation (the first default model's recipe)
    synthesis: Synthesis | None = None
    # Draw each source equally often (its name before the first "_"): the three contrasts of
    # one Dixon scan, or many phantoms, count as one source each.
    balance_sources: bool = False


def side_swap(config: ModelConfig) -> np.ndarray:
    """A lookup table mapping each label value to its other-side twin (itself when none)."""
    table = np.arange(max(l.value for l in config.labels) + 1)  # noqa: E741
    by_key = {(l.muscle, l.side): l.value for l in config.labels}  # noqa: E741
    for (muscle, side), value in by_key.items():
        other = {"left": "right", "right": "left"}.get(side)
        if other and (muscle, other) in by_key:
            table[value] = by_key[(muscle, other)]
    return table


def _stack(parts: list[Slices]) -> Slices:
    """All subjects' slices in one array, zero-padded (background) to the largest slice."""
    nx = max(p.images.shape[1] for p in parts)
    ny = max(p.images.shape[2] for p in parts)
    clusters = None
    if all(p.clusters is not None for p in parts):
        clusters = np.concatenate([_pad(p.clusters, (nx, ny)) for p in parts])
    return Slices(np.concatenate([_pad(p.images, (nx, ny)) for p in parts]),
                  np.concatenate([_pad(p.labels, (nx, ny)) for p in parts]),
                  clusters)  # fmt: skip


def _pad(array: np.ndarray, roi: tuple[int, int]) -> np.ndarray:
    px, py = max(0, roi[0] - array.shape[-2]), max(0, roi[1] - array.shape[-1])
    if px or py:
        width = [(0, 0)] * (array.ndim - 2) + [(px // 2, px - px // 2), (py // 2, py - py // 2)]
        array = np.pad(array, width)
    return array


class Sampler:
    """Random crops, mostly around labelled muscle, augmented (see ``augment``). Slices are drawn
    subject first (each subject equally often), so one real scan among many phantoms still
    counts."""

    def __init__(
        self,
        data: Slices,
        roi: tuple[int, int],
        swap: np.ndarray,
        rng: np.random.Generator,
        owners: np.ndarray,
        augmentation: Augmentation | None = None,
        synthesis: Synthesis | None = None,
        synthetic_only: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> None:
        self.images, self.labels, self.clusters = data.images, data.labels, data.clusters
        self.roi, self.swap, self.rng = roi, swap, rng
        self.augmentation = augmentation or Augmentation()
        self.synthesis = synthesis
        # Slices whose "image" is a drawn background (label maps without images): always painted.
        self.synthetic_only = (
            synthetic_only if synthetic_only is not None else np.zeros(len(self.images), bool)
        )
        labelled = self.labels.reshape(len(self.labels), -1).max(axis=1) > 0
        subjects = [np.flatnonzero((owners == o) & labelled) for o in np.unique(owners)]
        self.by_subject = [indices for indices in subjects if len(indices)]
        # Subjects of one source (the contrasts of one scan, the phantoms) share one draw.
        source = groups if groups is not None else owners
        by_source: dict[object, list[np.ndarray]] = {}
        for o in np.unique(owners):
            indices = np.flatnonzero((owners == o) & labelled)
            if len(indices):
                by_source.setdefault(source[np.flatnonzero(owners == o)[0]], []).append(indices)
        self.by_source = list(by_source.values())

    def batch(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        images, labels = [], []
        for _ in range(size):
            if self.by_source and self.rng.random() < 0.9:
                subjects = self.by_source[int(self.rng.integers(len(self.by_source)))]
                pool = subjects[int(self.rng.integers(len(subjects)))]
                index = int(self.rng.choice(pool))
            else:
                index = int(self.rng.integers(len(self.images)))
            image, label, clusters = self._view(index)
            if self.rng.random() < 0.5:  # left/right flip, with the side labels swapped
                image, label, clusters = image[::-1], self.swap[label[::-1]], clusters[::-1]
            image = self._contrast(index, image, clusters, label)
            if self.synthesis is not None and self.rng.random() < self.synthesis.field_of_view:
                image = narrow_field_of_view(image, label, self.rng)
            images.append(np.ascontiguousarray(image, dtype=np.float32))
            labels.append(np.ascontiguousarray(label))
        return torch.from_numpy(np.stack(images)[:, None]), torch.from_numpy(
            np.stack(labels)[:, None]
        )

    def _view(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        centre = self._centre(self.labels[index])
        if self.clusters is None or self.synthesis is None:
            image, label = view(self.images[index], self.labels[index], centre, self.roi,
                                self.rng, self.augmentation)  # fmt: skip
            return image, label, np.zeros(label.shape, np.int16)
        return view(self.images[index], self.labels[index], centre, self.roi, self.rng,
                    self.augmentation, self.clusters[index])  # fmt: skip

    def _contrast(
        self, index: int, image: np.ndarray, clusters: np.ndarray, label: np.ndarray
    ) -> np.ndarray:
        """A synthetic view (always for drawn backgrounds, else with the configured chance), or
        the real crop, sometimes inverted, with the usual intensity augmentation."""
        options = self.synthesis
        if options is not None and (
            self.synthetic_only[index] or self.rng.random() < options.probability
        ):
            texture = None if self.synthetic_only[index] else image
            return synthesise(np.ascontiguousarray(clusters), texture, self.rng, options, label)
        if options is not None and self.rng.random() < options.invert:
            image = -image
        return intensity(image, self.rng, self.augmentation)

    def _centre(self, label: np.ndarray) -> tuple[float, float]:
        """Mostly a labelled pixel anywhere inside the crop; otherwise anywhere in the slice."""
        points = np.argwhere(label > 0)
        if len(points) and self.rng.random() < 0.8:
            point = points[self.rng.integers(len(points))]
            shift = self.rng.uniform(-0.5, 0.5, size=2) * np.asarray(self.roi)
            return float(point[0] + shift[0]), float(point[1] + shift[1])
        return float(self.rng.uniform(0, label.shape[0])), float(
            self.rng.uniform(0, label.shape[1])
        )


def learning_rate(base: float, progress: float) -> float:
    """Cosine decay from ``base`` to 5 % of it over the run (``progress`` 0 to 1): the last
    weights settle instead of carrying the noise of a constant rate. Progress counts steps when
    a step budget is set (so seeded runs stay reproducible), else elapsed time."""
    progress = min(max(progress, 0.0), 1.0)
    return base * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * progress)))


def dice_per_label(network: torch.nn.Module, data: Slices, config: ModelConfig) -> dict[int, float]:
    """Dice of each label over all validation slices (whole slices, sliding windows)."""
    from monai.inferers import sliding_window_inference

    network.eval()
    images = torch.from_numpy(_pad(data.images, config.roi_size)[:, None])
    truth = _pad(data.labels, config.roi_size)
    predicted = []
    with torch.inference_mode():
        for start in range(0, len(images), 8):
            logits = sliding_window_inference(images[start : start + 8], config.roi_size, 8,
                                              network, overlap=0.25, mode="gaussian")  # fmt: skip
            predicted.append(logits.argmax(1).numpy())
    network.train()
    prediction = np.concatenate(predicted)
    scores = {}
    for label in config.labels:
        a, b = prediction == label.value, truth == label.value
        total = a.sum() + b.sum()
        scores[label.value] = float(2 * (a & b).sum() / total) if total else 1.0
    return scores


def train(
    images: Path,
    labels: Path,
    config_path: Path,
    out: Path,
    options: TrainOptions,
    init: Path | None = None,
    validation: tuple[Path, Path] | None = None,
) -> dict:
    """Train from ``images``/``labels``; validate on a share of those subjects, or on the
    ``validation`` folders (images, labels) when given."""
    config = load_config(config_path)
    rng = np.random.default_rng(options.seed)
    torch.manual_seed(options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    subjects = load_subjects(images, labels)
    order = rng.permutation(len(subjects))
    if validation is not None:
        val_subjects, train_subjects = load_subjects(*validation), subjects
    else:
        n_val = max(1, round(options.val_fraction * len(subjects))) if len(subjects) > 1 else 0
        val_subjects = [subjects[i] for i in order[:n_val]]
        train_subjects = [subjects[i] for i in order[n_val:]]
    parts = [slices_of(s, config) for s in train_subjects]
    owners = np.concatenate([np.full(len(p.images), i) for i, p in enumerate(parts)])
    synthetic_only = np.concatenate([
        np.full(len(p.images), s.name.startswith(SYNTHETIC_PREFIX))
        for s, p in zip(train_subjects, parts, strict=True)
    ])  # fmt: skip
    groups = np.concatenate([
        np.full(len(p.images), source_of(s.name), dtype=object)
        for s, p in zip(train_subjects, parts, strict=True)
    ])  # fmt: skip
    train_data = _stack(parts)
    val_data = _stack([slices_of(s, config) for s in val_subjects]) if val_subjects else train_data
    network = build_network(config)
    if init is not None:
        network.load_state_dict(read_state_dict(init), strict=True)
    network.train()
    crop = (options.crop, options.crop) if options.crop else config.roi_size
    sampler = Sampler(train_data, crop, side_swap(config), rng, owners, options.augmentation,
                      options.synthesis, synthetic_only,
                      groups if options.balance_sources else None)  # fmt: skip
    loss_function = DiceCELoss(to_onehot_y=True, softmax=True)
    optimiser = torch.optim.AdamW(network.parameters(), lr=options.learning_rate)
    log: list[dict] = []
    best, best_state = -1.0, None
    started, step = time.monotonic(), 0
    deadline = started + 60 * options.max_minutes
    while True:
        step += 1
        batch, target = sampler.batch(options.batch_size)
        progress = (
            step / options.max_steps
            if options.max_steps
            else ((time.monotonic() - started) / (deadline - started))
        )
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(options.learning_rate, progress)
        optimiser.zero_grad()
        loss = loss_function(network(batch), target)
        loss.backward()
        optimiser.step()
        done = (options.max_steps and step >= options.max_steps) or time.monotonic() >= deadline
        if step % options.evaluate_every == 0 or done:
            dice = dice_per_label(network, val_data, config)
            mean = float(np.mean(list(dice.values())))
            log.append({"step": step, "seconds": round(time.monotonic() - started, 1),
                        "loss": round(loss.item(), 4),
                        "dice": {str(k): round(v, 4) for k, v in dice.items()}})  # fmt: skip
            print(json.dumps(log[-1]), flush=True)
            if mean > best:
                best = mean
                best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
        if done:
            break
    if best_state is None:
        raise ImagingError("training stopped before the first evaluation")
    out.mkdir(parents=True, exist_ok=True)
    torch.save(best_state, out / "model.pth")
    document = config.as_json()
    document["training"] = {
        "options": asdict(options), "init": str(init) if init else None,
        "train_subjects": [s.name for s in train_subjects],
        "validation_subjects": [s.name for s in val_subjects], "best_mean_dice": round(best, 4),
    }  # fmt: skip
    (out / "model.json").write_text(json.dumps(document, indent=2))
    (out / "training_log.json").write_text(json.dumps(log, indent=2))
    return {"out": str(out), "steps": step, "best_mean_dice": best, "log": log[-1]}
