"""A page links only to pages its reader may open: every internal link on every page a role may
open (home, participant pages, MRI pages and all the others, generated from the URLconf),
followed as that role, answers neither 403 nor 404."""

from __future__ import annotations

import re

import pytest

from tests.pages import SKIP_PAGES
from trial.roles import ROLES

HREF = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = ("/static/", "/logout/", "/i18n/")


def _links(html: str) -> set[str]:
    return {link for link in HREF.findall(html) if not link.startswith(NOT_PAGES)}


@pytest.mark.django_db
def test_the_import_pages_are_linked_for_those_who_import(role_users: dict, client_for) -> None:
    home = client_for("coordinator").get("/", follow=True).content.decode()
    assert 'href="/imports/dynamo/"' in home and 'href="/imports/mmp/"' in home
    assert 'data-testid="import-links"' not in client_for("therapist").get(
        "/", follow=True).content.decode()  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role.code for role in ROLES])
def test_no_page_of_any_role_links_to_a_page_that_role_cannot_open(
    role: str, role_users: dict, client_for
) -> None:
    """The crawl of issue 20, generated from the URLconf: every page of the project (with real
    ids from the demo) that the role may open is rendered, and every internal link on it is
    followed as that role; none may answer 403 or 404."""
    from tests.urlmatrix import concrete_urls, seeded_ids

    client = client_for(role)
    pages = sorted({url.path for url in concrete_urls(seeded_ids())} | {"/"})
    opened, seen, dead = 0, {}, []
    for page in pages:
        if page.startswith(SKIP_PAGES):
            continue
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        opened += 1
        for link in _links(response.content.decode()):
            if link.startswith(SKIP_PAGES):
                continue
            if link not in seen:
                seen[link] = client.get(link).status_code
            if seen[link] in (403, 404):
                dead.append((page, link, seen[link]))
    assert opened >= 5, f"{role} opened only {opened} pages"
    assert dead == [], dead
