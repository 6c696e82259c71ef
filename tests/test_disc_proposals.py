"""Disc-plane proposals from the axial stack on spine phantoms with exact disc planes: every
proposed plane within 2 mm (centre) and 5 degrees (normal) of the truth, names right when the
sacrum is in view and left empty (with the reason) when it is not (issue 22, phantoms only)."""

from __future__ import annotations

import numpy as np
import pytest

from imaging.metrics.disc_proposals import propose_discs
from imaging.phantoms.spine import spine_phantom

CASES = {
    "straight": {},
    "lordosis": {"sagitta_mm": 12},
    "oblique stack": {"tilt_deg": 12},
    "lordosis, oblique the other way": {"sagitta_mm": 12, "tilt_deg": -10},
    "Dixon fat fraction": {"contrast": "fat_fraction"},
    "Dixon, lordosis, oblique": {"contrast": "fat_fraction", "sagitta_mm": 12, "tilt_deg": 8},
}


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(min(1.0, abs(float(a @ b))))))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_every_disc_is_found_within_2_mm_and_5_degrees_and_named(case: str, seed: int) -> None:
    options = CASES[case]
    phantom = spine_phantom(seed, **options)
    # The polarity (disc brighter on T2, darker on a fat-fraction map) is found from the data.
    result = propose_discs(phantom.image.canonical(), phantom.labels.canonical())
    assert result.sacrum_in_view and result.problems == ()
    assert [d.name for d in result.discs] == list(phantom.discs)  # L5-S1 up to T12-L1
    for proposal in result.discs:
        truth = phantom.discs[proposal.name]
        assert np.linalg.norm(proposal.centre - truth.centre) <= 2.0, (case, proposal.name)
        assert _angle_deg(proposal.normal, truth.normal) <= 5.0, (case, proposal.name)
        assert proposal.confidence > 0.5


def test_without_the_sacrum_the_discs_are_found_but_not_named() -> None:
    phantom = spine_phantom(4, sacrum=False, sagitta_mm=8)
    result = propose_discs(phantom.image.canonical(), phantom.labels.canonical())
    assert not result.sacrum_in_view
    assert "not named" in result.naming and "confirm" in result.naming
    assert [d.name for d in result.discs] == [None] * len(phantom.discs)
    truths = list(phantom.discs.values())  # caudal to cranial, as the proposals
    for proposal, truth in zip(result.discs, truths, strict=True):
        assert np.linalg.norm(proposal.centre - truth.centre) <= 2.0


def test_a_stack_without_a_spine_proposes_nothing_and_says_so() -> None:
    phantom = spine_phantom(5)
    blank = phantom.image.with_array(np.zeros_like(phantom.image.array)).canonical()
    result = propose_discs(
        blank,
        phantom.labels.canonical().with_array(np.zeros_like(phantom.labels.canonical().array)),
    )
    assert result.discs == () and result.problems == ("spine not found",)
    assert result.naming.startswith("no proposal")


def _slices(result, volume) -> list[float]:
    inverse = np.linalg.inv(volume.affine)
    return [float((inverse[:3, :3] @ d.centre + inverse[:3, 3])[2]) for d in result.discs]


def test_real_stacks_get_proposals_within_one_slice_of_a_readers_picks(shared_data) -> None:
    """The shared T2 sample and the Dixon subject's fat-fraction map (F / (F + W)), against the
    disc slices picked by hand once (tests/fixtures/disc_picks.json says how)."""
    import json
    from pathlib import Path

    from imaging.volume import load_nifti

    picks = json.loads((Path(__file__).parent / "fixtures" / "disc_picks.json").read_text())
    t2 = picks["musclemap-lumbar-t2"]
    image = load_nifti(shared_data(t2["image"])).canonical()
    labels = load_nifti(shared_data(t2["labels"])).canonical()
    mask = labels.with_array(np.isin(labels.array, t2["multifidus"]).astype(np.uint8))
    dixon = picks["myosegmentum-dixon-TUM01"]
    water = load_nifti(shared_data(dixon["water"]))
    fat = load_nifti(shared_data(dixon["fat"]))
    fraction = 100 * fat.array / np.maximum(fat.array + water.array, 1e-6)
    fraction_map = water.with_array(fraction.astype(np.float32)).canonical()
    dixon_labels = load_nifti(shared_data(dixon["labels"])).canonical()
    dixon_mask = dixon_labels.with_array(
        np.isin(dixon_labels.array, dixon["multifidus"]).astype(np.uint8)
    )
    for volume, anchor, picked in ((image, mask, t2["disc_slices"]),
                                   (fraction_map, dixon_mask, dixon["disc_slices"])):  # fmt: skip
        result = propose_discs(volume, anchor)
        found = _slices(result, volume)
        assert len(found) == len(picked), (found, picked)
        assert all(abs(f - p) <= 1.0 for f, p in zip(found, picked, strict=True)), (found, picked)
        assert all(d.name is None for d in result.discs) and "confirm" in result.naming
