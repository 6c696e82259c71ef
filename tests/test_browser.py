"""Real Chromium through Playwright: log in, land on the worklist, record a screening."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    """From the account menu under the user's name."""
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out", exact=True).click()


def test_coordinator_records_a_screening_and_sees_it_on_the_worklist(page, tmp_path) -> None:
    log_in(page, "coordinator")
    page.get_by_test_id("role-home").wait_for()
    assert "Research coordinator" in page.get_by_test_id("role-home").inner_text()
    page.get_by_role("link", name="Record a person approached").first.click()
    page.get_by_label("Date approached").fill("2026-11-20")
    page.get_by_label("Source").select_option("clinic")
    page.get_by_label("Age at screening").fill("44")
    page.locator("#id_language").select_option("fr")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Saved SCR-" in page.locator(".alert").inner_text()
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_text("2026-11-20")).to_have_count(1)  # waits for the home page
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', tmp_path)}/coordinator-home.png")


def test_therapist_does_not_see_the_audit_trail_link(page) -> None:
    log_in(page, "therapist")
    page.get_by_test_id("role-home").wait_for()
    assert page.get_by_role("link", name="Audit trail").count() == 0
    response = page.goto("/audit/")
    assert response.status == 403


def test_coordinator_screens_enrols_and_records_baseline_lsiq(page, tmp_path) -> None:
    """The journey's front door in a real browser: screen, assess, enrol with consent, LSIQ;
    the new participant then shows on the coordinator's and the assessor's worklists."""
    log_in(page, "coordinator")
    page.get_by_test_id("role-home").wait_for()
    page.get_by_role("link", name="Record a person approached").first.click()
    page.get_by_label("Date approached").fill("2026-11-20")
    page.get_by_label("Source").select_option("advertisement")
    page.get_by_label("Age at screening").fill("39")
    page.locator("#id_language").select_option("en")
    page.get_by_role("button", name="Save", exact=True).click()
    code = page.locator(".alert").inner_text().split("Saved ")[1].rstrip(".")
    assert code in page.locator("h1").inner_text()  # the entry, with its next step
    page.get_by_test_id("next-action").get_by_role("link", name="Assess eligibility").click()
    page.get_by_label("Date of birth").fill("1987-03-02")
    page.get_by_label("Low back pain began on").fill("2025-01-15")
    page.get_by_label("Pain on at least half the days of the past 6 months").select_option("true")
    page.get_by_label("PDDM nociceptive drivers").select_option("A")
    for label in (
        "PDDM nervous-system dysfunction",
        "PDDM comorbidity",
        "PDDM cognitive-emotional",
        "PDDM contextual",
    ):
        page.get_by_label(label).select_option("0")
    for label in (
        "Previous spinal surgery",
        "Vertebral fracture",
        "Radiculopathy",
        "Spondylolysis",
        "Spondylolisthesis",
    ):
        page.get_by_label(label, exact=True).select_option("false")
    page.get_by_label("Scoliosis (Cobb angle, degrees; 0 if none)").fill("0")
    page.get_by_label("Condition preventing exercise (e.g. systemic inflammation)").select_option(
        "false"
    )
    with page.expect_navigation():  # the form page shows a verdict too: read the saved one
        page.get_by_role("button", name="Save and evaluate").click()
    assert "Incomplete" in page.get_by_test_id("eligibility-verdict").inner_text()
    page.get_by_role("link", name="MRI safety questionnaire").click()
    mri_answers = page.locator("select[name^=mri_]")
    # .all() does not wait: without this it can read the eligibility page still showing and
    # answer nothing, so the questionnaire is saved blank (a flake seen once in CI).
    mri_answers.first.wait_for()
    for select in mri_answers.all():
        select.select_option("false")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Eligible." in page.get_by_test_id("eligibility-verdict").inner_text()
    page.get_by_role("link", name="Enrol and record consent").click()
    page.get_by_label("Consent form version").fill("2.0")
    page.get_by_label("Consent language").select_option("en")
    page.get_by_label("Consent signed on").fill("2026-11-22")
    page.get_by_label("First name").fill("Chloé")
    page.get_by_label("Last name").fill("Bergeron")
    page.get_by_label("Date of birth").fill("1987-03-02")
    page.get_by_role("button", name="Save", exact=True).click()
    heading = page.get_by_test_id("participant-heading").inner_text()
    study_id = heading.split()[0]
    assert (
        study_id.startswith("SB-")
        and "Chloé Bergeron" in page.get_by_test_id("identity").inner_text()
    )
    page.locator('[data-visit="baseline"]').get_by_role("link", name="lsiq").click()
    page.get_by_label("Completed on").fill("2026-11-23")
    for number in range(1, 16):
        answer = "Yes" if number <= 9 else "No"
        page.locator(f"#div_id_lsiq_{number:02d}").get_by_label(answer).check()
    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.locator(".alert").inner_text()
    assert "Total 9.0" in saved and "stratum: LSIQ high (score ≥ 9)" in saved
    page.get_by_role("link", name="Back to participant").click()
    assert page.locator('[data-visit="baseline"] [data-form="lsiq"]').inner_text().startswith("✓")
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("worklist").get_by_role("link", name=study_id).first).to_be_visible()
    log_out(page)
    log_in(page, "assessor")
    worklist = page.get_by_test_id("worklist")
    assert worklist.get_by_role("link", name=study_id).count() == 1
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', tmp_path)}/assessor-worklist.png")


def test_therapist_randomises_at_session_1_and_the_assessor_sees_no_arm(page) -> None:
    from randomization.models import AllocationSlot
    from trial.models import Participant
    from trial.protocol import PROTOCOL

    waiting = Participant.objects.get(randomized_on__isnull=True, visits__visit_code="baseline")
    log_in(page, "therapist")
    page.get_by_test_id("worklist").get_by_role("link", name="Session 1: randomise").click()
    page.get_by_role("button", name="Randomise").click()
    arm = PROTOCOL.arm(AllocationSlot.objects.get(participant=waiting).arm)
    assert f"is randomised to {arm.label}" in page.locator(".alert").inner_text()
    assert "Session 1 of 48" in page.locator("h1").inner_text()
    page.goto(f"/participants/{waiting.study_id}/")
    assert page.get_by_test_id("arm").inner_text() == arm.label
    log_out(page)
    log_in(page, "assessor")
    page.goto(f"/participants/{waiting.study_id}/")
    page.get_by_test_id("participant-heading").wait_for()
    content = page.content()
    assert page.get_by_test_id("arm").count() == 0
    assert all(a.label not in content and a.code not in content for a in PROTOCOL.arms)


def test_assessor_enters_odi_and_promis29_at_week_16_and_sees_the_scores(page, tmp_path) -> None:
    from outcomes.instruments import odi, promis29, score
    from outcomes.models import InstrumentResponse
    from trial.models import Participant

    participant = (
        Participant.objects.filter(randomized_on__isnull=False)
        .exclude(instrument_responses__visit_code="week16")
        .first()
    )
    log_in(page, "assessor")
    page.goto(f"/participants/{participant.study_id}/")
    page.locator('[data-visit="week16"]').get_by_role("link", name="odi", exact=True).click()
    page.get_by_label("Completed on").fill("2026-11-20")
    odi_answers = dict(zip(odi.ITEMS, [3, 2, 2, 1, 2, 2, 1, 0, 2, 1], strict=True))
    for key, value in odi_answers.items():
        page.locator(f"#div_id_{key} input[value='{value}']").check()
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Oswestry Disability Index 2.1a saved (odi-2.1a)" in page.locator(".alert").inner_text()
    scores = page.get_by_test_id("scores")
    assert scores.locator('[data-score="Total"]').inner_text() == "32.0"  # 16/50
    assert page.get_by_test_id("verification").inner_text() == "Awaiting second entry"

    page.get_by_role("link", name="Back to participant").click()
    page.locator('[data-visit="week16"]').get_by_role("link", name="promis29").click()
    page.get_by_label("Completed on").fill("2026-11-20")
    answers = {key: 4 if key.startswith("PFA") else 2 for key in promis29.ITEMS[:-1]}
    answers["Global07"] = 6
    for key, value in answers.items():
        page.locator(f"#div_id_{key} input[value='{value}']").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expected = score("promis29", answers).subscores
    scores = page.get_by_test_id("scores")
    assert expected["physical_function"] == 41.9  # PF raw 16 (table A)
    assert scores.locator('[data-score="Physical function T"]').inner_text() == "41.9"
    assert scores.locator('[data-score="Pain interference T"]').inner_text() == "55.6"
    summary = f"{expected['physical_health_summary']:.1f}"
    assert scores.locator('[data-score="Physical health summary"]').inner_text() == summary
    assert scores.locator('[data-score="Pain intensity"]').inner_text() == "6.0"
    page.screenshot(path=f"{os.environ.get('SCREENSHOT_DIR', tmp_path)}/promis29-scores.png")
    saved = InstrumentResponse.objects.get(
        participant=participant, visit_code="week16", instrument="promis29"
    )
    assert saved.entered_by.username == "assessor" and saved.scoring_version == promis29.VERSION
    page.get_by_role("link", name="Back to participant").click()
    week16 = page.locator('[data-visit="week16"]')
    assert week16.locator('[data-form="odi"]').inner_text().startswith("✓")
    assert week16.locator('[data-form="promis29"]').inner_text().startswith("✓")


def test_data_manager_creates_a_coordinator_who_sets_a_password_then_is_deactivated(page) -> None:
    """Issue 20's user administration in a real browser: the data manager creates a coordinator,
    the coordinator chooses a password from the e-mailed one-time link and logs in; once the data
    manager deactivates the account, the coordinator's next request is refused."""
    import re

    from django.core import mail

    mail.outbox.clear()
    log_in(page, "datamanager")
    page.get_by_test_id("role-home").wait_for()
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("User name").fill("claire")
    page.get_by_label("First name").fill("Claire")
    page.get_by_label("Last name").fill("Tremblay")
    page.get_by_label("E-mail").fill("claire@example.org")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_label("Reason").fill("new research coordinator")
    page.get_by_role("button", name="Create the account and send the link").click()
    assert "Account claire created" in page.locator(".alert").first.inner_text()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/account/set-password/\S+/", mail.outbox[0].body).group(0)

    coordinator = page.context.browser.new_context(base_url=page.url.split("/users/")[0])
    other = coordinator.new_page()
    other.goto(link)
    other.locator("#id_new_password1").fill("claire-chooses-a-long-one-7")
    other.locator("#id_new_password2").fill("claire-chooses-a-long-one-7")
    other.get_by_role("button", name="Set my password").click()
    other.get_by_label("Username").fill("claire")
    other.get_by_label("Password").fill("claire-chooses-a-long-one-7")
    other.get_by_role("button", name="Log in").click()
    other.get_by_test_id("role-home").wait_for()
    assert "Research coordinator" in other.get_by_test_id("role-home").inner_text()

    page.get_by_label("Reason for deactivating").fill("left the team")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_test_id("account-status")).to_have_text("deactivated")
    response = other.goto("/participants/")
    assert "/login/" in other.url, (response.status, other.url)
    coordinator.close()
