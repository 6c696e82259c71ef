"""Load an image or label map from a NIfTI file, a DICOM series folder or one DICOM file."""

from __future__ import annotations

from pathlib import Path

from imaging.dicom.frames import dicom_files, frames_of, read_datasets
from imaging.dicom.stack import group_stacks, stack_volume
from imaging.errors import ImagingError
from imaging.volume import Volume, files_sha256, load_nifti

NIFTI_SUFFIXES = (".nii", ".nii.gz")


def is_nifti(path: Path) -> bool:
    return path.name.lower().endswith(NIFTI_SUFFIXES)


def load_image(path: Path) -> Volume:
    """A volume from ``path``; a DICOM folder must hold exactly one stack of one series."""
    path = Path(path)
    if not path.exists():
        raise ImagingError(f"{path}: no such file or folder")
    if path.is_file() and is_nifti(path):
        return load_nifti(path)
    files = dicom_files(path) if path.is_dir() else [path]
    return volume_from_dicom_files(files)


def volume_from_dicom_files(files: list[Path]) -> Volume:
    files = sorted(files)
    return volume_from_datasets(read_datasets(files), [f.name for f in files], files_sha256(files))


def volume_from_datasets(datasets: list, names: list[str], sha256: str = "") -> Volume:
    """One stack from already-read datasets (``names`` label them in messages)."""
    frames = []
    for name, dataset in zip(names, datasets, strict=True):
        modality = str(dataset.get("Modality", ""))
        if modality in ("SEG", "SR", "PR", "KO"):
            raise ImagingError(f"{name}: a {modality} object, not an image")
        frames.extend(frames_of(dataset, name))
    stacks = group_stacks(frames)
    if len(stacks) > 1:
        described = "; ".join(
            f"series {s.key[0][-12:]} stack {s.key[2] or '-'}: {len(s.frames)} images"
            for s in stacks
        )
        raise ImagingError(f"{len(stacks)} stacks found ({described}); give one series or stack")
    return stack_volume(stacks[0], sha256=sha256)
