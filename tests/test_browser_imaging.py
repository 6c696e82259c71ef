"""Real Chromium on the disc picker: a reader clicks a disc on the sagittal reformat, saves it, and
the study's levels hold the point under the click, in patient coordinates."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.test_browser import log_in

pytestmark = [pytest.mark.browser]


def _wait_loaded(image: object, seconds: float = 10.0) -> None:
    """Until the image has decoded (the page's CSP forbids wait_for_function's string eval)."""
    deadline = time.monotonic() + seconds
    while not image.evaluate("img => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the image did not load"
        time.sleep(0.05)


def test_reader_picks_a_disc_on_the_sagittal_reformat(page, settings, tmp_path: Path) -> None:
    from imaging.models import DiscLevels, ImagingStudy
    from imaging.services.preview import canonical_image
    from strongback.demo.seed import seed_demo_imaging
    from trial.models import User

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo_imaging(User.objects.get(username="coordinator"))
    study = ImagingStudy.objects.get()
    image = canonical_image(study, study.chosen_series)
    nz = image.shape[2]

    log_in(page, "assessor")
    page.get_by_test_id("role-home").wait_for()
    page.goto(f"/imaging/{study.pk}/levels/")
    sagittal = page.locator("#sagittal")
    sagittal.wait_for()
    _wait_loaded(sagittal)
    assert page.get_by_role("button", name="Save this disc").is_disabled()

    # The slider swaps the axial slice, which loads (a broken image has no natural width).
    page.locator("#slice-range").fill("2")
    assert page.locator("#slice-number").inner_text() == "3"
    axial = page.locator("#axial")
    assert axial.get_attribute("src").endswith("/2.png")
    _wait_loaded(axial)

    page.get_by_label("L3-L4").check()
    box = sagittal.bounding_box()
    natural = sagittal.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    stretch = image.spacing[2] / image.spacing[1]

    # A click below the seeded L4-L5 disc would put L3-L4 under it: refused, nothing saved.
    sagittal.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.3})
    page.get_by_role("button", name="Save this disc").click()
    assert "is not above L4-L5" in page.locator(".alert").inner_text()
    assert set(DiscLevels.objects.get(study=study).discs) == {"L4-L5", "L5-S1"}

    page.get_by_label("L3-L4").check()
    _wait_loaded(sagittal)
    sagittal.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.04})
    j = box["width"] * 0.5 * natural[0] / box["width"]
    k = nz - 1 - (natural[1] * 0.04 / stretch - 0.5)
    assert "Picked voxel" in page.locator("#pick-note").inner_text()
    # The page turns the click into voxel indices (to within the click's pixel rounding) ...
    picked = np.array([float(page.locator(f"#pick-{a}").input_value()) for a in "ijk"])
    assert np.allclose(picked, [image.shape[0] // 2, j, k], atol=0.25), (picked, j, k)
    # Clicking the reformat also moves the axial view to the picked slice.
    assert page.locator("#slice-range").input_value() == str(round(picked[2]))
    page.get_by_role("button", name="Save this disc").click()

    saved = page.get_by_test_id("saved-discs")
    saved.wait_for()
    row = saved.locator("tr", has_text="L3-L4").inner_text()
    assert f"{round(picked[2], 1)}" in row, (row, picked)
    # ... and the server turns those indices into patient coordinates with the image's affine.
    discs = DiscLevels.objects.get(study=study).discs
    assert set(discs) == {"L3-L4", "L4-L5", "L5-S1"}  # the seeded discs are kept
    expected = image.patient_coordinates(picked[None, :])[0]
    assert np.allclose(discs["L3-L4"], expected, atol=0.01), (discs["L3-L4"], expected)
    # The pending run was measured again: level L4 now lies between L3-L4 and L4-L5.
    run = study.runs.get()
    assert run.metrics.filter(level="L4", muscle="multifidus").count() == 2


def test_reader_moves_a_proposed_disc_and_confirms_the_levels(page, settings, tmp_path) -> None:
    """The study's discs as the pipeline stores a proposal; the reader moves L4-L5 on the
    reformat, confirms; the distance moved, both positions and the confirmation are on record,
    and the per-level metrics reach exports only from then on."""
    from imaging.models import DiscLevels, ImagingStudy
    from imaging.selectors import approved_metrics
    from imaging.services.preview import canonical_image
    from imaging.services.review import decide
    from strongback.demo.seed import seed_demo_imaging
    from trial.models import AuditEntry, User

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_demo_imaging(User.objects.get(username="coordinator"))
    study = ImagingStudy.objects.get()
    levels = DiscLevels.objects.get(study=study)
    levels.source = "proposed"
    levels.proposed = {
        "discs": [
            {"name": name, "centre": point, "normal": [0.0, 0.0, 1.0], "confidence": 0.9}
            for name, point in levels.discs.items()
        ],
        "naming": "named upwards from the sacrum (below the lowest disc)",
        "problems": [],
        "sacrum_in_view": True,
    }
    levels.save(reason="test: stored as the pipeline stores its proposal")
    image = canonical_image(study, study.chosen_series)
    nz = image.shape[2]

    log_in(page, "assessor")
    page.get_by_test_id("role-home").wait_for()
    page.goto(f"/imaging/{study.pk}/levels/")
    proposed = page.get_by_test_id("proposed-discs")
    assert "L4-L5" in proposed.inner_text() and "L5-S1" in proposed.inner_text()
    assert "provisional" in page.get_by_test_id("levels-status").inner_text()
    sagittal = page.locator("#sagittal")
    _wait_loaded(sagittal)
    page.get_by_role("radio", name="L4-L5").check()
    box = sagittal.bounding_box()
    natural = sagittal.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    stretch = image.spacing[2] / image.spacing[1]
    target_k = 7.5  # the proposal sits at slice 9.5: two slices lower
    y = ((nz - 1 - target_k) + 0.5) * stretch / natural[1] * box["height"]
    sagittal.click(position={"x": box["width"] * 0.5, "y": y})
    page.get_by_role("button", name="Save this disc").click()
    page.get_by_test_id("saved-discs").wait_for()
    assert "provisional" in page.get_by_test_id("levels-status").inner_text()

    page.get_by_test_id("confirm-levels").click()
    expect(page.get_by_test_id("levels-status")).to_contain_text("final")  # the POST has landed
    levels.refresh_from_db()
    assert levels.confirmed and levels.confirmed_by.username == "assessor"
    assert abs(levels.moved_mm["L4-L5"] - 2 * image.spacing[2]) < 0.6 * image.spacing[2]
    assert levels.moved_mm["L5-S1"] == 0.0
    fields = set(
        AuditEntry.objects.filter(
            object_type="imaging.DiscLevels", object_id=str(levels.pk)
        ).values_list("field", flat=True)
    )
    assert "confirmed_at" in fields and any(f.startswith("discs.L4-L5") for f in fields)
    run = study.runs.get()
    decide(run, User.objects.get(username="assessor"), approve=True)
    assert approved_metrics().filter(run=run, level="L5").exists()
