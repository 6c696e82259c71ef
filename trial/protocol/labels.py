"""Labels people read, in their language, without the protocol importing Django.

A ``Label`` is a ``str`` whose value is the English text: what code compares, stores, hashes and
exports stays the same in every language. Shown to a person (``str()``, ``format()``, ``%s``, a
template), it is translated by the translator the web layer installs at start-up
(``trial.apps``: Django's ``gettext``); until then, and in pure computations, it reads English.
Writing a label as ``_("...")`` in the protocol lets ``makemessages`` find it.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str], str] = lambda text: text  # noqa: E731


def install_translator(translate: Callable[[str], str]) -> None:
    global _translate
    _translate = translate


class Label(str):
    """English ``template`` (its ``str.format`` fields from ``params``), translated when shown."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Label:
        label = super().__new__(cls, template.format(**params) if params else template)
        label.template, label.params = template, params
        return label

    def __str__(self) -> str:
        text = _translate(self.template)
        return text.format(**self.params) if self.params else text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> tuple:
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, object]) -> Label:
    return Label(template, **params)
