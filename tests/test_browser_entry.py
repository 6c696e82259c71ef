"""Real Chromium: the record status page filtered to one state opens the form from its icon, and
a full PROMIS-29 is entered with the keyboard alone."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_browser import log_in

pytestmark = pytest.mark.browser


def test_record_status_filters_to_awaiting_second_entry_and_opens_the_form(page) -> None:
    from outcomes.models import InstrumentResponse, Verification

    awaiting = InstrumentResponse.objects.filter(verification=Verification.PENDING).first()
    assert awaiting is not None, "the demo holds a primary outcome awaiting its second entry"
    log_in(page, "assessor")  # who enters (and double-enters) the primary outcome
    page.get_by_test_id("role-home").wait_for()
    page.get_by_role("link", name="Record status").first.click()
    page.get_by_label("State").select_option("awaiting_second_entry")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**state=awaiting_second_entry**")
    grid = page.get_by_test_id("record-status")
    rows = grid.locator("tbody tr[data-participant]")
    assert rows.count() >= 1
    for index in range(rows.count()):  # every row kept has a form in that state
        assert rows.nth(index).locator('[data-state="awaiting_second_entry"]').count() >= 1
    study_id = awaiting.participant.study_id
    icon = grid.locator(
        f'tr[data-participant="{study_id}"] td[data-visit="{awaiting.visit_code}"] '
        f'a[data-form="{awaiting.instrument}"]'
    )
    assert icon.get_attribute("data-state") == "awaiting_second_entry"
    icon.click()
    page.wait_for_url(f"**/{study_id}/**/{awaiting.instrument}/")
    assert page.get_by_test_id("verification").inner_text() == "Awaiting second entry"


def _type_date(page, day: dt.date) -> None:
    """A date input in Chromium (en-US) takes month, day and year as typed digits."""
    page.keyboard.type(f"{day:%m%d%Y}")


def test_promis29_entered_with_the_keyboard_alone_is_saved_and_scored(page) -> None:
    from outcomes.instruments import promis29, score
    from outcomes.models import InstrumentResponse
    from trial.models import Participant

    participant = (
        Participant.objects.filter(randomized_on__isnull=False)
        .exclude(instrument_responses__visit_code="week16")
        .first()
    )
    answers = {key: 4 if key.startswith("PFA") else 2 for key in promis29.ITEMS[:-1]}
    answers["Global07"] = 10  # two digits: 1 then 0
    answers["EDANX01"] = 1
    answers["PAININ9"] = 5
    log_in(page, "assessor")
    page.get_by_test_id("role-home").wait_for()
    page.goto(f"/participants/{participant.study_id}/visits/week16/instruments/promis29/")
    page.get_by_label("Completed on").focus()
    day = dt.date.today() - dt.timedelta(days=1)
    _type_date(page, day)
    assert page.get_by_label("Completed on").input_value() == day.isoformat()
    counter = page.get_by_test_id("unanswered-count")
    assert counter.get_attribute("data-unanswered") == str(len(promis29.ITEMS))
    for _ in range(4):  # out of the date's month, day and year parts, into the first item
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    assert page.evaluate("document.activeElement.closest('[data-entry-row]') !== null")
    order = page.eval_on_selector_all("[data-entry-row]", "rows => rows.map(r => r.dataset.item)")
    assert sorted(order) == sorted(promis29.ITEMS)
    for key in order:
        page.keyboard.type(str(answers[key]))
    assert counter.get_attribute("data-unanswered") == "0"
    assert page.evaluate("document.activeElement.type") == "submit"  # the last item moved on
    page.keyboard.press("Enter")
    page.get_by_test_id("scores").wait_for()
    saved = InstrumentResponse.objects.get(
        participant=participant, visit_code="week16", instrument="promis29"
    )
    assert saved.responses == answers
    expected = score("promis29", answers)
    assert saved.subscores == pytest.approx(expected.subscores)
    shown = page.get_by_test_id("scores").locator('[data-score="Pain intensity"]').inner_text()
    assert shown == "10.0"


IPAQ = {"vig_days": 2, "vig_minutes": 30, "mod_days": 3, "mod_minutes": 40, "walk_days": 5,
        "walk_minutes": 20, "sit_minutes": 480}  # fmt: skip


def test_a_baselines_questionnaires_by_keyboard_through_save_and_next(page) -> None:
    """The six baseline questionnaires, one after another, without the mouse once the first is
    open: the keystrokes are counted (the closing note reports them)."""
    from django.utils import timezone

    from outcomes.instruments import DEFINITIONS
    from outcomes.models import InstrumentResponse
    from tests.journey import enrolled
    from trial.models import User

    today = timezone.localdate()
    person = enrolled(User.objects.get(username="coordinator"), today - dt.timedelta(days=3))
    order = ["lsiq", "odi", "promis29", "sf12", "ipaq_short", "nprs"]
    log_in(page, "assessor")
    page.get_by_test_id("role-home").wait_for()
    page.goto(f"/participants/{person.study_id}/visits/baseline/instruments/lsiq/")  # 1 click
    keys = 0

    def type_(text: str) -> None:
        nonlocal keys
        page.keyboard.type(text)
        keys += len(text)

    def press(key: str) -> None:
        nonlocal keys
        page.keyboard.press(key)
        keys += 1

    expected = {}
    for index, name in enumerate(order):
        assert page.url.endswith(f"/instruments/{name}/"), (name, page.url)
        if index == 0:
            _type_date(page, today)
            keys += 8
        for _ in range(4):  # from the date into the first item
            press("Tab")
            if page.evaluate("document.activeElement.closest('[data-entry-row]') !== null"):
                break
        answers = {}
        for item in DEFINITIONS[name].items:
            if item.choices:
                answers[item.key] = item.choices[0][0]
                type_(str(item.choices[0][0]))
            else:
                answers[item.key] = IPAQ[item.key]
                type_(str(IPAQ[item.key]))
                press("Enter")
        expected[name] = answers
        assert page.evaluate("document.activeElement.type") == "submit"
        press("Tab")  # to "Save and go to the next questionnaire"
        with page.expect_navigation():
            press("Enter")
        errors = page.locator(".invalid-feedback, .alert-danger, [data-testid=soft-checks]")
        assert errors.count() == 0, errors.all_inner_texts()
    assert page.url.endswith(f"/participants/{person.study_id}/")  # none left to enter
    saved = {
        r.instrument: r.responses
        for r in InstrumentResponse.objects.filter(participant=person, visit_code="baseline")
    }
    assert saved == expected
    items = sum(len(DEFINITIONS[name].items) for name in order)
    print(f"\nbaseline questionnaires: {items} items, {keys} keystrokes, 1 click")
    assert keys < 2 * items  # about one keystroke an item, the date once, two to move on
