"""A voxel array with its affine in DICOM patient coordinates (LPS, mm), and its canonical form.

Measurements never resample: ``canonical`` only permutes and flips axes so that the slice axis is
last and indices increase towards the patient's left, posterior and superior. The same acquisition
therefore gives the same array whether it came from DICOM or from a NIfTI saved with flipped or
permuted axes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from imaging.errors import ImagingError

# NIfTI stores RAS+; DICOM patient coordinates are LPS+.
RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])
PATIENT_AXES = np.eye(3)  # rows: +x (left), +y (posterior), +z (superior) in LPS


@dataclass(frozen=True)
class Volume:
    array: np.ndarray
    affine: np.ndarray  # voxel index (i, j, k, 1) -> LPS mm
    sha256: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.array.ndim != 3:
            raise ImagingError(f"expected a 3-D volume, got shape {self.array.shape}")

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.array.shape)  # type: ignore[return-value]

    @property
    def spacing(self) -> tuple[float, float, float]:
        return tuple(float(s) for s in np.linalg.norm(self.affine[:3, :3], axis=0))  # type: ignore[return-value]

    @property
    def directions(self) -> np.ndarray:
        """Unit vectors of the three index axes (columns) in LPS."""
        return self.affine[:3, :3] / np.linalg.norm(self.affine[:3, :3], axis=0)

    @property
    def slice_normal(self) -> np.ndarray:
        """Unit normal of the acquired plane (the third axis' direction once canonical)."""
        return self.directions[:, 2]

    def with_array(self, array: np.ndarray) -> Volume:
        if array.shape != self.array.shape:
            raise ImagingError(f"array shape {array.shape} differs from {self.array.shape}")
        return replace(self, array=array)

    def patient_coordinates(self, indices: np.ndarray) -> np.ndarray:
        """LPS positions of voxel indices given as an (n, 3) array."""
        return indices @ self.affine[:3, :3].T + self.affine[:3, 3]

    def canonical(self) -> Volume:
        """Permute and flip (never resample) to slice axis last, indices towards L, P, S."""
        directions = self.directions
        slice_axis = int(np.argmax(np.abs(directions[2])))
        in_plane = [a for a in range(3) if a != slice_axis]
        if abs(directions[0, in_plane[1]]) > abs(directions[0, in_plane[0]]):
            in_plane.reverse()
        order = [*in_plane, slice_axis]
        array = np.transpose(self.array, order)
        affine = self.affine.copy()
        affine[:3, :3] = self.affine[:3, order]
        for axis in range(3):
            if affine[axis, axis] < 0:
                array = np.flip(array, axis=axis)
                affine[:3, 3] += affine[:3, axis] * (array.shape[axis] - 1)
                affine[:3, axis] *= -1
        return replace(self, array=np.ascontiguousarray(array), affine=affine)

    def from_canonical(self, canonical_array: np.ndarray) -> np.ndarray:
        """An array on this volume's own index order from one on its canonical grid."""
        indices = np.arange(self.array.size).reshape(self.array.shape)
        order = self.with_array(indices).canonical().array
        if order.shape != canonical_array.shape:
            raise ImagingError(f"shape {canonical_array.shape} is not the canonical {order.shape}")
        out = np.empty(self.array.size, dtype=canonical_array.dtype)
        out[order.ravel()] = canonical_array.ravel()
        return out.reshape(self.array.shape)

    def same_grid(self, other: Volume, tolerance_mm: float = 0.01) -> bool:
        """Whether two canonical volumes share shape and voxel positions (corner to corner)."""
        if self.shape != other.shape:
            return False
        corners = np.array(
            [
                [i, j, k]
                for i in (0, self.shape[0] - 1)
                for j in (0, self.shape[1] - 1)
                for k in (0, self.shape[2] - 1)
            ],
            dtype=float,
        )
        gap = self.patient_coordinates(corners) - other.patient_coordinates(corners)
        return bool(np.abs(gap).max() <= tolerance_mm)


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_sha256(paths: list[Path]) -> str:
    """One hash for a set of files, independent of their order or names."""
    digest = hashlib.sha256()
    for file_hash in sorted(file_sha256(p) for p in paths):
        digest.update(file_hash.encode())
    return digest.hexdigest()


def load_nifti(path: Path) -> Volume:
    import nibabel as nib

    try:
        image = nib.load(str(path))
        array = np.asanyarray(image.dataobj)
    except Exception as error:  # nibabel raises many types for damaged files
        raise ImagingError(f"{path.name}: not a readable NIfTI file ({error})") from error
    if array.ndim == 4 and array.shape[3] == 1:
        array = array[..., 0]
    if array.ndim != 3:
        raise ImagingError(f"{path.name}: expected a 3-D image, got shape {array.shape}")
    affine = RAS_TO_LPS @ np.asarray(image.affine, dtype=float)
    return Volume(array=np.asarray(array), affine=affine, sha256=file_sha256(path))


def save_nifti(volume: Volume, path: Path) -> None:
    import nibabel as nib

    nib.save(nib.Nifti1Image(volume.array, RAS_TO_LPS @ volume.affine), str(path))
