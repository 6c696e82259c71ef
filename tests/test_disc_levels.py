"""Disc levels through the system: the pipeline's proposal is stored (never over a reader's
positions), the reader moves a disc and confirms, the distance moved and both positions are on
the audit trail, and per-level metrics reach exports only once confirmed."""

from __future__ import annotations

import numpy as np
import pytest

from imaging.labels import MUSCLEMAP_ABDOMEN
from imaging.models import DiscLevels, ImagingStudy
from imaging.phantoms.spine import spine_phantom
from imaging.services import disc_levels
from trial.models import AuditEntry, Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _study(user: object) -> ImagingStudy:
    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    return ImagingStudy.objects.create(participant=participant, visit_code="baseline",
                                       source="upload", created_by=user)  # fmt: skip


def test_proposed_then_moved_and_confirmed_with_the_distance_on_record(role_users) -> None:
    reader = role_users["assessor"]
    study = _study(role_users["coordinator"])
    phantom = spine_phantom(7, sagitta_mm=10, tilt_deg=6)
    levels = disc_levels.propose(study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN)
    assert levels.source == "proposed" and not levels.confirmed
    assert list(levels.discs) == list(phantom.discs)  # named from the sacrum up
    for name, point in levels.discs.items():
        assert np.linalg.norm(np.array(point) - phantom.discs[name].centre) <= 2.0
    moved = dict(levels.discs)
    moved["L4-L5"] = (np.array(moved["L4-L5"]) + np.array([0.0, 0.0, 3.0])).tolist()
    disc_levels.reader_entered(study, moved, reader, "picker")
    # The pipeline runs again (a re-measure): a reader's positions are never replaced.
    assert disc_levels.propose(study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN) is None
    confirmed = disc_levels.confirm(study, reader)
    assert confirmed.confirmed and confirmed.confirmed_by == reader
    assert confirmed.moved_mm["L4-L5"] == pytest.approx(3.0, abs=0.01)
    assert confirmed.moved_mm["L5-S1"] == 0.0
    trail = AuditEntry.objects.filter(object_type="imaging.DiscLevels", object_id=str(levels.pk))
    fields = set(trail.values_list("field", flat=True))
    for prefix in ("proposed", "discs.L4-L5", "confirmed_at", "moved_mm"):
        assert any(f.startswith(prefix) for f in fields), (prefix, fields)  # fmt: skip
    # A change after confirmation needs confirming again.
    disc_levels.reader_entered(study, confirmed.discs, reader, "json")
    assert not DiscLevels.objects.get(pk=levels.pk).confirmed


def test_confirm_refuses_without_a_level(role_users) -> None:
    from imaging.errors import ImagingError

    study = _study(role_users["coordinator"])
    phantom = spine_phantom(8, sacrum=False)
    levels = disc_levels.propose(study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN)
    assert levels.discs == {} and "not named" in levels.proposed["naming"]
    assert len(levels.proposed["discs"]) == len(phantom.discs)
    with pytest.raises(ImagingError, match="at least two named discs"):
        disc_levels.confirm(study, role_users["assessor"])


def _unnamed_proposals(phantom) -> dict:
    """The phantom's six discs as unnamed proposals (as from a stack that misses the sacrum)."""
    return {
        "discs": [
            {
                "name": None,
                "centre": truth.centre.round(2).tolist(),
                "normal": [0, 0, 1],
                "confidence": 0.9,
            }
            for truth in phantom.discs.values()
        ],
        "sacrum_in_view": False,
        "naming": "not named: the sacrum is not in view, so the lowest disc cannot be told",
        "problems": [],
    }


def test_six_unnamed_discs_get_names_suggested_from_the_protocols_coverage() -> None:
    phantom = spine_phantom(9)
    document = _unnamed_proposals(phantom)
    disc_levels.suggest_from_coverage(document)
    assert [d["suggested"] for d in document["discs"]] == list(phantom.discs)
    assert all(d["name"] is None for d in document["discs"])  # suggested, never named
    assert "suggests L5-S1 at the bottom" in document["naming"]
    fewer = _unnamed_proposals(phantom)
    fewer["discs"] = fewer["discs"][1:]
    disc_levels.suggest_from_coverage(fewer)
    assert not any("suggested" in d for d in fewer["discs"])
    assert "5 disc(s) found where the protocol's coverage (L1-L5) has 6" in fewer["problems"][0]


def test_the_reader_takes_the_suggested_names_then_confirms(
    role_users, client_for, settings, tmp_path
) -> None:
    from imaging.models import ImagingSeries, ImagingSource
    from imaging.services.storage import nifti_path
    from imaging.volume import save_nifti

    settings.MEDIA_ROOT = str(tmp_path)
    study = _study(role_users["coordinator"])
    study.source = ImagingSource.NIFTI
    study.save(reason="test")
    phantom = spine_phantom(10)
    path = nifti_path(study, "image.nii.gz")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_nifti(phantom.image, path)
    ImagingSeries(study=study, series_uid="nifti", modality="MR", instances=1,
                  chosen=True).save(reason="test")  # fmt: skip
    document = _unnamed_proposals(phantom)
    disc_levels.suggest_from_coverage(document)
    DiscLevels(study=study, source=disc_levels.PROPOSED, discs={}, proposed=document).save(
        reason="test"
    )
    reader = client_for("assessor")
    url = f"/imaging/{study.pk}/levels/"
    page = reader.get(url).content.decode()
    assert "L5-S1 suggested, pick it to use it" in page and 'data-testid="use-suggested"' in page
    assert reader.post(url, {"use_suggested": "1"}).status_code == 302
    levels = DiscLevels.objects.get(study=study)
    assert set(levels.discs) == set(phantom.discs) and levels.source == "suggestion"
    assert not levels.confirmed
    assert reader.post(url, {"confirm": "1"}).status_code == 302
    confirmed = DiscLevels.objects.get(study=study)
    assert confirmed.confirmed and set(confirmed.moved_mm.values()) == {0.0}


def test_an_unreadable_sagittal_series_is_said_and_the_axial_proposals_stand(role_users) -> None:
    from imaging.errors import ImagingError

    study = _study(role_users["coordinator"])
    phantom = spine_phantom(11)

    def unreadable() -> None:
        raise ImagingError("the sagittal series t2_sag could not be read (2 stacks found)")

    levels = disc_levels.propose(
        study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN, unreadable
    )
    assert levels.proposed["source"] == "the axial stack"
    assert any("t2_sag could not be read" in p for p in levels.proposed["problems"])
    assert set(levels.discs) == set(phantom.discs)


def test_the_sagittal_series_is_read_only_when_proposals_are_made(role_users) -> None:
    """Re-measurements after a reader's positions never read the sagittal series again."""
    study = _study(role_users["coordinator"])
    phantom = spine_phantom(12)
    calls = []

    def loader() -> None:
        calls.append(1)
        return None

    assert disc_levels.propose(study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN, loader)
    assert calls == [1]
    levels = DiscLevels.objects.get(study=study)
    disc_levels.reader_entered(study, levels.discs, role_users["assessor"], "picker")
    assert (
        disc_levels.propose(study, phantom.image, phantom.labels, MUSCLEMAP_ABDOMEN, loader) is None
    )
    assert calls == [1]
