"""The metrics document as types: what ``measure`` returns and every consumer reads.

A reader of ``muscle.mean_csa_mm2`` cannot ask for a field that is never stored (a nested dict
read by string keys let the dashboard read one). ``to_json`` gives the documented JSON (the
command line prints it; a run stores it); ``from_json`` reads a stored one back. No Django.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class LevelMetrics:
    level: str  # L1 ... L5
    n_slices: int
    csa_mm2: float | None  # on the level's mid slice
    mean_csa_mm2: float | None
    volume_mm3: float | None
    fat_fraction_pct: float | None


@dataclass(frozen=True)
class MuscleMetrics:
    muscle: str
    side: str
    label: int
    volume_mm3: float | None
    mean_csa_mm2: float | None  # over the slices the muscle is drawn on
    fat_fraction_pct: float | None
    n_slices: int
    levels: tuple[LevelMetrics, ...] = ()
    volume_l1_l5_mm3: float | None = None  # only when all five levels are defined

    @property
    def key(self) -> tuple[str, str]:
        return self.muscle, self.side


@dataclass(frozen=True)
class ImageSummary:
    sha256: str
    shape: tuple[int, ...]
    spacing_mm: tuple[float, ...]
    slice_normal: tuple[float, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provenance:
    code_version: str
    labels_sha256: str | None
    fat_sha256: str | None = None
    water_sha256: str | None = None
    fat_source: str | None = None  # a series UID or an uploaded file's role
    water_source: str | None = None
    same_acquisition_stated: bool = False
    grids_placed: tuple[str, ...] = ()
    label_table_sha256: str = ""
    levels_sha256: str | None = None


@dataclass(frozen=True)
class Metrics:
    image: ImageSummary
    fat_method: str
    fat_parameters: dict[str, object]
    volume_convention: str
    muscles: tuple[MuscleMetrics, ...]
    qc_flags: tuple[str, ...]
    provenance: Provenance
    extra: dict[str, object] = field(default_factory=dict)  # keys a newer writer added

    def to_json(self) -> dict:
        document = asdict(self)
        document.update(document.pop("extra"))
        return _lists(document)

    @classmethod
    def from_json(cls, document: dict) -> Metrics:
        known = {"image", "fat_method", "fat_parameters", "volume_convention", "muscles",
                 "qc_flags", "provenance"}  # fmt: skip
        return cls(
            image=ImageSummary(**_tuples(document["image"])),
            fat_method=document["fat_method"],
            fat_parameters=dict(document.get("fat_parameters") or {}),
            volume_convention=document.get("volume_convention", ""),
            muscles=tuple(muscle_from_json(row) for row in document["muscles"]),
            qc_flags=tuple(document.get("qc_flags", ())),
            provenance=Provenance(**_tuples(document.get("provenance") or {"code_version": "",
                                                                           "labels_sha256": None})),
            extra={k: v for k, v in document.items() if k not in known},
        )  # fmt: skip


def muscle_from_json(row: dict) -> MuscleMetrics:
    levels = tuple(LevelMetrics(**level) for level in row.get("levels", ()))
    return MuscleMetrics(**{**row, "levels": levels})


def _tuples(values: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def _lists(value: object) -> object:
    """JSON's shape: tuples become lists, all the way down."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value
