"""Every page a role may open, rendered, and its visible text: for tests that must hold on
every page (no raw code, everything translated), generated from the URLconf."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

SKIP_PAGES = ("/api/", "/admin/", "/logout/", "/i18n/", "/account/set-password/")
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes outside scripts and styles, and the attributes
    a browser shows or reads out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._skipped: list[str] = []  # open elements inside a translate="no" one

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipped:
            self._skipped.append(tag)
            return
        if (("translate", "no") in attrs or tag == "textarea") and tag not in VOID:
            self._skipped.append(tag)  # people's own words (notes, answers), not the UI's
            return
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skipped:
            self._skipped.pop()
            return
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._skipped and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return parser.parts


def role_pages(client: object) -> Iterator[tuple[str, str]]:
    """(path, html) of every HTML page of the project this client's role may open."""
    from tests.urlmatrix import concrete_urls, seeded_ids

    pages = sorted({url.path for url in concrete_urls(seeded_ids())} | {"/"})
    for path in pages:
        if path.startswith(SKIP_PAGES):
            continue
        response = client.get(path, follow=True)  # type: ignore[attr-defined]
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        yield path, response.content.decode()
