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
