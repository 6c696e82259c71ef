"""PNG overlays: a slice in radiological display (patient's right on the viewer's left, anterior
up) with each muscle's outline, right side orange and left side blue (Okabe-Ito, colour-blind safe).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy import ndimage

from imaging.labels import Label

RIGHT = (230, 159, 0)
LEFT = (0, 114, 178)
MIDLINE = (0, 158, 115)
SCALE = 2


def window(slice_values: np.ndarray) -> np.ndarray:
    """8-bit grey from the 1st-99th percentile (MR intensities are arbitrary)."""
    low, high = np.percentile(slice_values, [1, 99])
    scaled = (slice_values - low) / (high - low or 1)
    return (np.clip(scaled, 0, 1) * 255).astype(np.uint8)


def overlay_png(image: np.ndarray, labels: np.ndarray, table: tuple[Label, ...], k: int) -> bytes:
    """PNG bytes of canonical slice ``k`` with outlines of every labelled muscle."""
    grey = window(image[:, :, k].astype(float)).T  # rows = posterior axis, columns = left axis
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    plane = labels[:, :, k].T
    for label in table:
        mask = plane == label.value
        if not mask.any():
            continue
        outline = mask & ~ndimage.binary_erosion(mask)
        rgb[outline] = LEFT if label.side == "left" else RIGHT if label.side == "right" else MIDLINE
    picture = Image.fromarray(rgb, mode="RGB")
    picture = picture.resize((picture.width * SCALE, picture.height * SCALE), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def slice_png(image: np.ndarray, axis: int, index: int) -> bytes:
    """A plain grey slice along ``axis`` of a canonical volume (2: axial, 0: sagittal reformat)."""
    plane = np.take(image, index, axis=axis).astype(float)
    grey = window(plane).T
    if axis != 2:
        grey = grey[::-1]  # superior up in the reformats
    buffer = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()
