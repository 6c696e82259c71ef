"""Real Chromium: the menu fits one line at 1366 px for the role with the most pages, collapses
behind a button on a phone, no page overflows sideways; the language switch turns the worklist
French."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_browser import log_in
from trial.roles import ROLES

pytestmark = pytest.mark.browser
# The outermost elements that stick out of the window (for the failure message).
WIDEST = """(() => {
  const out = (e) => e && e.getBoundingClientRect().right > window.innerWidth + 1;
  return Array.from(document.querySelectorAll('main *, nav *'))
    .filter((e) => out(e) && !out(e.parentElement)).slice(0, 5)
    .map((e) => e.tagName + '.' + e.className + ' ' + (e.dataset.testid || '')).join(' | ');
})()"""
PAGES = ("/", "/participants/", "/record-status/", "/audit/", "/consort/", "/dashboard/")


def _most_menu_items_user() -> str:
    """The demo user whose role has the most menu items (the PI, today)."""
    from strongback.demo.seed import demo_username
    from trial.access.navigation import NAVIGATION
    from trial.models import User

    def count(username: str) -> int:
        user = User.objects.get(username=username)
        return sum(user.has_perm(item.permission) for item in NAVIGATION)

    return max((demo_username(role) for role in ROLES), key=count)


def test_menu_fits_1366_collapses_on_a_phone_and_pages_do_not_overflow(page) -> None:
    role = _most_menu_items_user()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, role)
    page.get_by_test_id("role-home").wait_for()
    links = page.locator("#nav .navbar-nav.me-auto > li")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, f"{role}'s menu wraps onto {len(tops)} lines at 1366 px"
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than the window at 1366 px"

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/")
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.get_by_role("link", name="Participants", exact=True).is_visible()
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name="Participants", exact=True).wait_for(state="visible")
    for path in PAGES:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDEST) if overflow > 0 else ""
        assert overflow <= 0, f"{path} is {overflow} px wider than a phone's screen: {wide}"


def test_switching_to_french_shows_a_french_worklist(page) -> None:
    log_in(page, "coordinator")
    page.get_by_test_id("role-home").wait_for()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")  # the old page has role-home too
    assert "liste de travail" in page.get_by_test_id("role-home").inner_text()
    assert page.get_by_role("heading", name="Dû cette semaine, en retard et manquant").count() == 1
    kinds = page.locator("#work-kind option").all_inner_texts()
    assert kinds[0] == "Tous les types" and all(k and "_" not in k for k in kinds)
    page.get_by_role("link", name="Participants", exact=True).click()
    expect(page.get_by_role("heading", name="Participants")).to_have_count(1)
    assert page.get_by_role("button", name="Chercher").count() == 1


def test_the_therapist_logs_a_session_on_a_tablet_and_the_diary_fits(page) -> None:
    """A tablet held upright (768 px): the session log and the sleep-diary week fit the screen."""
    from tests.urlmatrix import seeded_ids

    study_id = seeded_ids()["study_id"]
    page.set_viewport_size({"width": 768, "height": 1024})
    for user, path in (
        ("therapist", f"/participants/{study_id}/sessions/1/"),
        ("coordinator", f"/participants/{study_id}/visits/baseline/actigraphy/"),
        ("monitor", "/audit/"),
    ):
        log_in(page, user)
        page.get_by_test_id("role-home").wait_for()
        response = page.goto(path)
        assert response.status == 200, (user, path, response.status)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(WIDEST) if overflow > 0 else ""
        assert overflow <= 0, f"{path} is {overflow} px wider than a tablet: {wide}"
        page.context.clear_cookies()
