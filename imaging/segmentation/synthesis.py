"""Domain randomisation for training: every tissue gets a random intensity (SynthSeg's idea).

A model trained on one contrast learns that contrast: the default model read Dixon water images
(fat dark) as if they were T2 (fat bright) and found no multifidus at all. Here each training
slice carries a *cluster map*: its muscles by label, and the rest of the slice cut into intensity
bins (subcutaneous fat, other soft tissue, bone, fluid, air fall into different bins). A synthetic
view gives each cluster a random mean and texture, then a smooth bias field, a random gamma, blur
(a coarser scanner), and noise, so the only thing constant across views is the anatomy.

Label maps without images (``musclemap-label-maps``) become training subjects through
``synthetic_background``: a body outline with a fat rim and random smooth tissue blobs around the
labelled muscles, drawn as clusters that the same randomisation paints. Pure numpy/scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

TISSUE_BINS = 8  # intensity bins of a real image (cluster ids 0..7; drawn muscles above)
# Training subjects whose image is a drawn background for a label map (always painted anew).
SYNTHETIC_PREFIX = "synth-"


@dataclass(frozen=True)
class Synthesis:
    probability: float = 0.6  # share of real-image crops replaced by a synthetic view
    texture: tuple[float, float] = (0.0, 0.6)  # weight of the real image's texture kept
    gamma: tuple[float, float] = (0.6, 1.6)
    blur_sigma: tuple[float, float] = (0.0, 1.2)  # pixels
    bias: float = 0.4
    noise: tuple[float, float] = (0.0, 0.25)
    invert: float = 0.15  # a real-image crop with its contrast inverted (water-like fat)
    field_of_view: float = 0.35  # share of crops whose field of view ends close to the muscles
    infiltration: float = 0.5  # share of synthetic views with fatty streaks drawn in the muscles


def clusters_of(image: np.ndarray, labels: np.ndarray, drawn: bool = False) -> np.ndarray:
    """(n, x, y) cluster ids. A real image: every pixel, muscles included, falls into one of
    ``TISSUE_BINS`` intensity bins by quantile over the stack, so a fatty streak inside a muscle
    is painted like the subcutaneous fat and the muscle keeps its real texture and boundary
    contrast (padding zeros stay bin 0). A drawn background (``drawn``): its distinct levels,
    and the muscles by label above them."""
    if drawn:
        # The drawn levels are the most frequent values (resampling blurs only the edges).
        values, counts = np.unique(np.round(image[labels == 0], 4), return_counts=True)
        levels = np.sort(values[np.argsort(counts)[::-1][: TISSUE_BINS - 1]])
        nearest = np.abs(image[..., None] - levels).argmin(axis=-1).astype(np.int16)
        clusters = np.where(labels > 0, TISSUE_BINS + labels, nearest).astype(np.int16)
        return clusters
    values = image[image != 0]
    if not values.size:
        return np.zeros(image.shape, dtype=np.int16)
    edges = np.quantile(values, np.linspace(0, 1, TISSUE_BINS)[1:-1])
    clusters = 1 + np.digitize(image, edges).astype(np.int16)
    clusters[image == 0] = 0
    return clusters


def synthetic_background(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A piecewise-constant image for a label map alone (n, x, y): air, a body ellipse with a
    subcutaneous fat rim, a vertebra-like disc in front of the muscles, and random tissue blobs;
    the muscles at their own levels. Levels are distinct so ``clusters_of`` recovers them."""
    n, nx, ny = labels.shape
    x, y = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    muscle = labels.max(axis=0) > 0
    points = np.argwhere(muscle)
    if len(points) == 0:
        return np.zeros(labels.shape, dtype=np.float32)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    cx, half_w = (x0 + x1) / 2, (x1 - x0) / 2
    # Muscles lie posterior (high y in canonical order): the body extends anteriorly from them.
    a, b = half_w * rng.uniform(1.7, 2.4), (y1 - y0) * rng.uniform(1.6, 2.4)
    cy = y1 - b * rng.uniform(0.75, 0.85)
    body = ((x - cx) / a) ** 2 + ((y - cy) / b) ** 2 <= 1.0
    rim = rng.uniform(0.06, 0.16)
    inner = ((x - cx) / (a * (1 - rim))) ** 2 + ((y - cy) / (b * (1 - rim))) ** 2 <= 1.0
    image = np.zeros((nx, ny), dtype=np.float32)
    image[body] = 5.0  # subcutaneous fat
    field = ndimage.gaussian_filter(rng.normal(size=(nx, ny)), sigma=rng.uniform(4, 12))
    blobs = np.digitize(field, np.quantile(field, [0.3, 0.6, 0.85])) + 1  # levels 1..4
    image[inner] = blobs[inner].astype(np.float32)
    vertebra = ((x - cx) ** 2 + (y - (y0 - 0.35 * (y1 - y0))) ** 2) <= (0.22 * half_w) ** 2
    image[vertebra & inner] = 3.0
    stack = np.repeat(image[None], n, axis=0)
    stack[labels > 0] = 10.0 + labels[labels > 0]
    return stack


def _bias_field(shape: tuple[int, int], rng: np.random.Generator, amplitude: float) -> np.ndarray:
    coarse = rng.normal(size=(4, 4))
    field = ndimage.zoom(coarse, (shape[0] / 4, shape[1] / 4), order=3)[: shape[0], : shape[1]]
    field = field / (np.abs(field).max() or 1.0)
    return np.exp(amplitude * rng.uniform(0, 1) * field)


def infiltrate(clusters: np.ndarray, label: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Streaks and patches inside the muscles painted as another tissue of the crop: fatty
    infiltration (heavy at L5-S1 in older or painful backs) must not make a muscle vanish."""
    inside = label > 0
    others = np.unique(clusters[~inside & (clusters > 0)])
    if not inside.any() or others.size == 0:
        return clusters
    noise = ndimage.gaussian_filter(rng.normal(size=clusters.shape), rng.uniform(0.7, 2.5))
    share = rng.uniform(0.05, 0.4)
    streaks = inside & (noise > np.quantile(noise[inside], 1 - share))
    out = clusters.copy()
    out[streaks] = rng.choice(others)
    return out


def synthesise(
    clusters: np.ndarray,
    texture: np.ndarray | None,
    rng: np.random.Generator,
    options: Synthesis,
    label: np.ndarray | None = None,
) -> np.ndarray:
    """A random-contrast view of one crop (x, y) from its cluster map, z-normalised (with fatty
    streaks in the muscles of ``label`` in some views)."""
    if label is not None and rng.random() < options.infiltration:
        clusters = infiltrate(clusters, label, rng)
    count = int(clusters.max()) + 1
    means, spreads = rng.uniform(0.0, 1.0, size=count), rng.uniform(0.0, 0.12, size=count)
    grain = ndimage.gaussian_filter(rng.normal(size=clusters.shape), rng.uniform(0.5, 2.0))
    image = means[clusters] + spreads[clusters] * grain / (grain.std() or 1.0)
    if texture is not None:
        weight = rng.uniform(*options.texture) * rng.choice([-1.0, 1.0])
        t = (texture - texture.mean()) / (texture.std() or 1.0)
        image = image + weight * 0.15 * t
    image = np.clip(image, 0, None) * _bias_field(image.shape, rng, options.bias)
    image = np.power(image / (image.max() or 1.0), rng.uniform(*options.gamma))
    sigma = rng.uniform(*options.blur_sigma)
    if sigma > 0.2:
        image = ndimage.gaussian_filter(image, sigma)
    image = image + rng.normal(0, rng.uniform(*options.noise) * (image.std() or 1.0), image.shape)
    return ((image - image.mean()) / (image.std() or 1.0)).astype(np.float32)


def narrow_field_of_view(image: np.ndarray, label: np.ndarray, rng: np.random.Generator
                         ) -> np.ndarray:  # fmt: skip
    """The crop as a tightly framed acquisition would show it: everything outside a random
    rectangle around the muscles (10-60 pixels of margin per side) is zero, as padding is."""
    points = np.argwhere(label > 0)
    if len(points) == 0:
        return image
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    margin = rng.integers(10, 60, size=4)
    out = np.zeros_like(image)
    xs = slice(max(0, x0 - margin[0]), x1 + 1 + margin[1])
    ys = slice(max(0, y0 - margin[2]), y1 + 1 + margin[3])
    out[xs, ys] = image[xs, ys]
    return out
