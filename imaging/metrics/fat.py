"""Fat infiltration inside a muscle mask: per-voxel fat indicators or fractions.

* ``otsu``: per-slice Otsu threshold of the intensities inside the mask; voxels above it are fat
  (Fortin et al. 2017, without their CLAHE step). Per slice because MR coil shading varies along z.
* ``gmm3``: a 3-component Gaussian mixture over the muscle's intensities; voxels of the
  highest-mean component are fat (Wesselink et al. 2024, best agreement with Dixon on T2).
  Fitted once per muscle and side over all its slices, as MuscleMap does, with a fixed seed.
* ``dixon``: voxel-wise F / (F + W), averaged over the mask.
Each returns a float array that is 1/0 (or the fraction) inside the mask, so the fat fraction of
any set of slices is the mean over the mask's voxels there.
"""

from __future__ import annotations

import numpy as np

from imaging.errors import ImagingError

METHODS = ("otsu", "gmm3", "dixon", "none")
GMM_SEED = 0
GMM_MIN_VOXELS = 30


def otsu_threshold(values: np.ndarray) -> float:
    """Exact Otsu over the distinct values: voxels strictly above the result are the upper class."""
    levels, counts = np.unique(values, return_counts=True)
    if levels.size < 2:
        return float(levels[0]) if levels.size else float("nan")
    weights_low = np.cumsum(counts)[:-1].astype(float)
    weights_high = counts.sum() - weights_low
    sums_low = np.cumsum(levels * counts)[:-1]
    mean_low = sums_low / weights_low
    mean_high = ((levels * counts).sum() - sums_low) / weights_high
    between = weights_low * weights_high * (mean_low - mean_high) ** 2
    return float(levels[int(np.argmax(between))])


def fat_otsu(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    fat = np.zeros(image.shape, dtype=float)
    for k in range(image.shape[2]):
        inside = mask[:, :, k]
        if not inside.any():
            continue
        values = image[:, :, k][inside]
        fat[:, :, k][inside] = values > otsu_threshold(values)
    return fat


def fat_gmm3(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    from sklearn.mixture import GaussianMixture

    values = image[mask].astype(float).reshape(-1, 1)
    if values.shape[0] < GMM_MIN_VOXELS or np.unique(values).size < 3:
        raise ImagingError(
            f"gmm3 needs at least {GMM_MIN_VOXELS} voxels with 3 distinct intensities in the "
            f"mask; it has {values.shape[0]}"
        )
    mixture = GaussianMixture(n_components=3, random_state=GMM_SEED, n_init=3)
    components = mixture.fit(values).predict(values)
    fat = np.zeros(image.shape, dtype=float)
    fat[mask] = components == int(np.argmax(mixture.means_.ravel()))
    return fat


def fat_dixon(fat_image: np.ndarray, water_image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    fat_values = fat_image[mask].astype(float)
    water_values = water_image[mask].astype(float)
    if (fat_values < 0).any() or (water_values < 0).any():
        raise ImagingError("dixon: negative fat or water signal; expected magnitude images")
    total = fat_values + water_values
    fraction = np.divide(fat_values, total, out=np.zeros_like(total), where=total > 0)
    out = np.zeros(mask.shape, dtype=float)
    out[mask] = fraction
    return out


def parameters(method: str, erode: int) -> dict[str, object]:
    """What a stored fat value must carry to be reproduced."""
    base: dict[str, object] = {"method": method, "erode_voxels": erode}
    if method == "gmm3":
        base.update(
            components=3,
            fat_component="highest mean",
            seed=GMM_SEED,
            n_init=3,
            fitted_over="all slices of one muscle and side",
        )
    elif method == "otsu":
        base.update(threshold="exact Otsu per slice", fat="intensity above threshold")
    elif method == "dixon":
        base.update(fraction="F/(F+W) per voxel, mean over the mask")
    return base
