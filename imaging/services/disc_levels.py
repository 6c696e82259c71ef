"""Disc levels of a study: proposed by the pipeline from the stack, confirmed by the reader.

The proposal never overwrites what a reader entered; a reader's change clears the confirmation
(positions confirmed are positions seen); confirming records how far each disc moved from the
proposal. Everything is saved through the audited model, so the trail has both positions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django.utils import timezone

from imaging.errors import ImagingError
from imaging.labels import Label
from imaging.metrics.disc_proposals import propose_discs
from imaging.metrics.levels import assign_levels, discs_bounding, parse_discs
from imaging.metrics.sagittal_discs import propose_from_sagittal
from imaging.models import DiscLevels, ImagingStudy
from imaging.volume import Volume
from trial.protocol.strongback_analysis import SPINE_LEVELS

PROPOSED = "proposed"


def propose(
    study: ImagingStudy,
    image: Volume,
    labels: Volume,
    table: tuple[Label, ...],
    sagittal: Callable[[], tuple[str, Volume] | None] | None = None,
) -> DiscLevels | None:
    """Proposals for a study whose levels no reader has entered; None when a reader has.

    ``sagittal`` loads (its description, its volume) for a sagittal series of the axial stack's
    frame of reference, only when proposals are made; its proposals are used when they are named
    (it saw the sacrum) and the axial stack's are not, or when the axial stack found none. A
    sagittal series that cannot be read (ImagingError) is said among the problems."""
    levels = DiscLevels.objects.filter(study=study).first()
    if levels is not None and (levels.source != PROPOSED or levels.confirmed):
        return None
    canonical, canonical_labels = image.canonical(), labels.canonical()
    values = [label.value for label in table if label.muscle == "multifidus"]
    anchor = canonical_labels.with_array(np.isin(canonical_labels.array, values).astype(np.uint8))
    result = propose_discs(canonical, anchor)
    document = {**result.as_json(), "source": "the axial stack"}
    try:
        loaded = sagittal() if sagittal is not None else None
    except ImagingError as error:  # said on the levels page; the axial proposals stand
        loaded = None
        document["problems"].append(f"{error}: the axial stack's proposals stand")
    if loaded is not None:
        description, volume = loaded
        other = propose_from_sagittal(volume, anchor)
        if (other.sacrum_in_view and not result.sacrum_in_view) or (
            other.discs and not result.discs
        ):
            document = {**other.as_json(), "source": f"the sagittal series {description}"}
            document["problems"].append(
                f"the axial stack alone: {len(result.discs)} disc(s), {result.naming}"
            )
        else:
            document["problems"].append(
                f"the sagittal series {description}: {len(other.discs)} disc(s), {other.naming}"
            )
    named = {d["name"]: d["centre"] for d in document["discs"] if d["name"]}
    if document["discs"] and not named:
        suggest_from_coverage(document)
    if named:
        try:
            assign_levels(canonical, parse_discs({"discs": named}))
        except ImagingError as error:  # out of order: show the proposal, measure no level
            document["problems"].append(f"named discs out of order, not used: {error}")
            named = {}
    levels = levels or DiscLevels(study=study, source=PROPOSED)
    levels.discs, levels.proposed = named, document
    levels.confirmed_at, levels.confirmed_by, levels.moved_mm = None, None, {}
    levels.save(reason=f"disc planes proposed from {document['source']}")
    return levels


def suggest_from_coverage(document: dict) -> None:
    """Unnamed proposals get suggested names (never names) when their count is exactly the
    discs that bound the protocol's levels: the stack covers what the protocol asks for, so the
    lowest is the lowest expected. Any other count gets no suggestion, and the reason."""
    expected = discs_bounding(SPINE_LEVELS)
    found = len(document["discs"])
    coverage = f"{SPINE_LEVELS[0]}-{SPINE_LEVELS[-1]}"
    if found == len(expected):
        for disc, name in zip(document["discs"], expected, strict=True):
            disc["suggested"] = name
        document["naming"] += (
            f"; the protocol's coverage ({coverage}) suggests {expected[0]} at the bottom up to "
            f"{expected[-1]}: pick each name to use it"
        )
    else:
        document["problems"].append(
            f"{found} disc(s) found where the protocol's coverage ({coverage}) has "
            f"{len(expected)}: no names suggested"
        )


def reader_entered(study: ImagingStudy, discs: dict, user: object, source: str) -> DiscLevels:
    """A reader's positions (picker or JSON): stored, and awaiting confirmation again."""
    parsed = parse_discs({"discs": discs})
    clean = {name: [round(float(v), 3) for v in point] for name, point in parsed.items()}
    levels = DiscLevels.objects.filter(study=study).first() or DiscLevels(study=study)
    levels.discs, levels.source, levels.entered_by = clean, source, user
    levels.confirmed_at, levels.confirmed_by, levels.moved_mm = None, None, {}
    levels.save(reason=f"disc levels from the {source}")
    return levels


SUGGESTED = "suggestion"  # the reader took the names the protocol's coverage suggested


def accept_suggestions(study: ImagingStudy, user: object) -> DiscLevels:
    """The reader takes every suggested name at its proposed position (still to be confirmed)."""
    levels = DiscLevels.objects.filter(study=study).first()
    discs = levels.proposed.get("discs", []) if levels else []
    suggested = {d["suggested"]: d["centre"] for d in discs if d.get("suggested")}
    if not suggested:
        raise ImagingError("no names were suggested for these proposals")
    return reader_entered(study, suggested, user, SUGGESTED)


def confirm(study: ImagingStudy, user: object) -> DiscLevels:
    """The reader confirms the positions shown; per-level metrics become final."""
    levels = DiscLevels.objects.filter(study=study).first()
    if levels is None or len(levels.discs) < 2:
        raise ImagingError("confirm needs at least two named discs (one level)")
    proposed = {
        d["name"] or d.get("suggested"): d["centre"]
        for d in levels.proposed.get("discs", [])
        if d["name"] or d.get("suggested")
    }
    levels.moved_mm = {
        name: round(float(np.linalg.norm(np.array(point) - np.array(proposed[name]))), 2)
        for name, point in levels.discs.items()
        if name in proposed
    }
    levels.confirmed_at, levels.confirmed_by = timezone.now(), user
    levels.save(reason="disc levels confirmed by the reader")
    return levels
