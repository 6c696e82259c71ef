"""Phantoms with analytic CSA, volume and fat fraction: straight, oblique, with a gap, via DICOM."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from imaging.dicom.writer import write_dicom_series
from imaging.errors import ImagingError
from imaging.io import load_image
from imaging.labels import Label
from imaging.metrics.fat import otsu_threshold
from imaging.metrics.measure import MeasureInputs, measure
from imaging.metrics.result import Metrics
from imaging.phantoms import Muscle, phantom
from imaging.volume import Volume

TABLE = (Label("multifidus", "right", 1), Label("multifidus", "left", 2))
FAT = 400.0
MARBLED = 250.0
# Right muscle at -x (patient right in LPS), left at +x; 25 % fat core in both.
TWO_TISSUE = (
    Muscle(1, (-25.0, 0.0), (18.0, 12.0), cores=((0.5, FAT),)),
    Muscle(2, (25.0, 0.0), (18.0, 12.0), cores=((0.5, FAT),)),
)
# Three tissues: muscle, a marbled ring (r 0.5-0.7) and a fat core (r < 0.5) -> gmm3 fat 25 %.
THREE_TISSUE = (
    Muscle(1, (-25.0, 0.0), (18.0, 12.0), cores=((0.7, MARBLED), (0.5, FAT))),
    Muscle(2, (25.0, 0.0), (16.0, 14.0), cores=((0.7, MARBLED), (0.5, FAT))),
)


def _run(image: Volume, labels: Volume, **kwargs: object) -> dict:
    return measure(MeasureInputs(image=image, labels=labels, table=TABLE, **kwargs)).to_json()


def _row(result: dict, side: str) -> dict:
    return next(m for m in result["muscles"] if m["side"] == side)


@pytest.mark.parametrize("tilt", [0.0, 12.0])
@pytest.mark.parametrize("spacing", [(0.4, 0.4, 4.0), (0.5, 0.3, 6.0)])
def test_csa_volume_and_otsu_fat_match_the_analytic_truth(tilt: float, spacing: tuple) -> None:
    image, labels = phantom(TWO_TISSUE, shape=(220, 260, 10), spacing=spacing, tilt_deg=tilt)
    result = _run(image, labels, fat_method="otsu")
    for muscle in TWO_TISSUE:
        row = _row(result, "right" if muscle.value == 1 else "left")
        expected_volume = muscle.area_mm2 * 10 * spacing[2]
        assert row["volume_mm3"] == pytest.approx(expected_volume, rel=0.01)
        assert row["fat_fraction_pct"] == pytest.approx(25.0, rel=0.01)
        assert row["n_slices"] == 10
    assert result["qc_flags"] == []
    assert result["image"]["spacing_mm"][2] == pytest.approx(spacing[2])


def test_gmm3_takes_the_brightest_of_three_tissues_as_fat() -> None:
    image, labels = phantom(THREE_TISSUE, shape=(300, 200, 6), spacing=(0.4, 0.4, 4.0), noise=8.0)
    result = _run(image, labels, fat_method="gmm3")
    for muscle in THREE_TISSUE:
        row = _row(result, "right" if muscle.value == 1 else "left")
        assert muscle.core_fraction(FAT) == pytest.approx(0.25)
        assert row["fat_fraction_pct"] == pytest.approx(25.0, rel=0.01)
    assert result["fat_parameters"]["seed"] == 0


def test_dixon_fraction_is_the_voxelwise_mean_of_f_over_f_plus_w() -> None:
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 4), spacing=(0.5, 0.5, 5.0))
    inside = labels.array > 0
    fat = np.where(inside, 30.0, 0.0).astype(np.float32)
    water = np.where(inside, 70.0, 0.0).astype(np.float32)
    result = _run(
        image, labels, fat_method="dixon", fat=image.with_array(fat), water=image.with_array(water)
    )
    assert _row(result, "left")["fat_fraction_pct"] == pytest.approx(30.0, abs=1e-6)
    with pytest.raises(ImagingError, match="needs both"):
        _run(image, labels, fat_method="dixon")


def test_erosion_removes_the_boundary_before_fat_but_not_from_the_area() -> None:
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 3), spacing=(0.5, 0.5, 5.0))
    plain = _run(image, labels, fat_method="otsu")
    eroded = _run(image, labels, fat_method="otsu", erode=4)
    assert eroded["fat_parameters"]["erode_voxels"] == 4
    for side in ("left", "right"):
        assert eroded["muscles"][0]["volume_mm3"] == plain["muscles"][0]["volume_mm3"]
        # Fat core unchanged, muscle ring thinner by 2 mm: fraction rises to (9/(18-2)...) > 25 %.
        assert _row(eroded, side)["fat_fraction_pct"] > _row(plain, side)["fat_fraction_pct"] + 2


def test_levels_split_the_stack_between_disc_planes_and_sum_to_the_l1_l5_volume() -> None:
    spacing = (0.5, 0.5, 4.0)
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 40), spacing=spacing, tilt_deg=10)
    normal = image.slice_normal
    centre = image.patient_coordinates(np.array([[99.5, 79.5, 0.0]]))[0]
    # Disc planes every 7 slices (28 mm) starting half a slice above slice 2.
    discs = {
        name: (centre + normal * (4.0 * (2.5 + 7 * i))).tolist()
        for i, name in enumerate(reversed(["T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]))
    }
    from imaging.metrics.levels import parse_discs

    result = _run(image, labels, fat_method="otsu", discs=parse_discs({"discs": discs}))
    row = _row(result, "right")
    assert [lv["level"] for lv in row["levels"]] == ["L1", "L2", "L3", "L4", "L5"]
    area = TWO_TISSUE[0].area_mm2
    for level in row["levels"]:
        assert level["n_slices"] == 7
        assert level["csa_mm2"] == pytest.approx(area, rel=0.01)
        assert level["mean_csa_mm2"] == pytest.approx(area, rel=0.01)
        assert level["volume_mm3"] == pytest.approx(area * 7 * 4.0, rel=0.01)
    assert row["volume_l1_l5_mm3"] == pytest.approx(area * 35 * 4.0, rel=0.01)
    assert row["volume_l1_l5_mm3"] == pytest.approx(sum(lv["volume_mm3"] for lv in row["levels"]))
    swapped = dict(discs, **{"L4-L5": discs["L1-L2"], "L1-L2": discs["L4-L5"]})
    with pytest.raises(ImagingError, match="is not above"):
        _run(image, labels, discs=parse_discs({"discs": swapped}))


def test_empty_level_and_missing_muscle_are_flagged() -> None:
    muscles = (Muscle(1, (-25.0, 0.0), (18.0, 12.0), slices=(0, 4)),)
    image, labels = phantom(muscles, shape=(200, 160, 12), spacing=(0.5, 0.5, 4.0))
    centre = image.patient_coordinates(np.array([[99.5, 79.5, 0.0]]))[0]
    up = np.array([0, 0, 1.0])
    discs = {"L4-L5": (centre + 46 * up).tolist(), "L5-S1": (centre + 22 * up).tolist()}
    from imaging.metrics.levels import parse_discs

    result = _run(image, labels, fat_method="none", discs=parse_discs({"discs": discs}))
    assert any("multifidus right L5: empty level" in f for f in result["qc_flags"])
    assert any("multifidus left: no voxels" in f for f in result["qc_flags"])
    assert _row(result, "right")["fat_fraction_pct"] is None


def test_an_empty_label_map_or_a_mask_on_another_grid_is_refused() -> None:
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 3))
    with pytest.raises(ImagingError, match="label map is empty"):
        _run(image, labels.with_array(np.zeros_like(labels.array)))
    moved = labels.affine.copy()
    moved[0, 3] += 1.0
    shifted = Volume(labels.array, moved)
    with pytest.raises(ImagingError, match="voxel grid"):
        _run(image, shifted)


def test_the_typed_result_round_trips_through_its_json() -> None:
    """What a run stores (``to_json``) reads back as the same typed metrics."""
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 3))
    result = measure(MeasureInputs(image=image, labels=labels, table=TABLE, fat_method="otsu"))
    assert Metrics.from_json(result.to_json()) == result
    assert {m.side for m in result.muscles} == {"left", "right"}


def test_wrong_side_labels_are_flagged_from_patient_coordinates() -> None:
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 3))
    swapped = (Label("multifidus", "right", 2), Label("multifidus", "left", 1))
    result = measure(MeasureInputs(image=image, labels=labels, table=swapped, fat_method="none"))
    assert len([f for f in result.qc_flags if "check the label table" in f]) == 2


def test_otsu_threshold_is_exact_on_two_values() -> None:
    assert otsu_threshold(np.array([1.0, 1.0, 1.0, 9.0, 9.0])) == 1.0
    assert otsu_threshold(np.array([5.0, 5.0])) == 5.0


def test_dicom_phantom_with_a_gap_and_oblique_slices_measures_like_the_truth(
    tmp_path: Path,
) -> None:
    image, labels = phantom(TWO_TISSUE, shape=(200, 160, 8), spacing=(0.5, 0.5, 5.0), tilt_deg=15)
    write_dicom_series(image, tmp_path / "image", slice_thickness=3.0)
    loaded = load_image(tmp_path / "image")
    assert any("gap between slices" in n for n in loaded.notes)
    result = _run(loaded, labels, fat_method="otsu")
    for muscle in TWO_TISSUE:
        row = _row(result, "right" if muscle.value == 1 else "left")
        assert row["volume_mm3"] == pytest.approx(muscle.area_mm2 * 8 * 5.0, rel=0.01)
        assert row["fat_fraction_pct"] == pytest.approx(25.0, rel=0.01)
    assert result["image"]["notes"] == list(loaded.notes)
    json.dumps(result)  # the document is plain JSON
