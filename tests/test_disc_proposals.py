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
    result = propose_discs(phantom.image.canonical(), phantom.labels.canonical(),
                           disc_brighter=options.get("contrast", "t2") == "t2")  # fmt: skip
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
    result = propose_discs(blank, phantom.labels.canonical())
    assert result.discs == () and result.problems == ("spine not found",)
    assert result.naming.startswith("no proposal")
