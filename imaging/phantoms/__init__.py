"""Phantoms with exact truth: analytic elliptic muscles (metrics tests) and lumbar-like axial
stacks (segmentation training and tests)."""

from imaging.phantoms.analytic import Muscle, oblique_affine, phantom

__all__ = ["Muscle", "oblique_affine", "phantom"]
