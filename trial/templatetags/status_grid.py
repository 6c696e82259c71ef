"""The record status grid's cells, written in one call per visit: a template loop per form icon
(50 rows x 12 visits x up to 6 forms, ten lookups each) was most of the page's server time."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from trial.selectors.record_status import FormCell, VisitCell
from trial.state_labels import state_label

register = template.Library()

_BODY = (
    ' class="form-state form-state-{state}" data-form="{code}" data-state="{state}" '
    'title="{title}"><span class="visually-hidden">{label}: {words}</span>'
)


@lru_cache(maxsize=4096)
def _body(
    language: str | None, state: str, states: frozenset[str], code: str, label: str
) -> SafeString:
    """An icon without its link, in ``language`` (the key: the labels are in the active one);
    the same few dozen bodies repeat down the grid."""
    title = f"{label}: {', '.join(state_label(s) for s in sorted(states))}"
    return format_html(_BODY, state=state, code=code, title=title, label=label,
                       words=state_label(state))  # fmt: skip


def _icon(form: FormCell, language: str | None) -> str:
    body = _body(language, form.state, form.states, form.code, form.label)
    if form.url:
        return f'<a href="{escape(form.url)}"{body}</a>'
    return f"<span{body}</span>"


@register.simple_tag
def status_cell(cell: VisitCell) -> SafeString:
    """The visit's form icons, each a link where this reader may open the form; the visit's
    state in words while nothing is due."""
    if not cell.forms:
        return format_html(
            '<span class="small text-muted">{}</span>', state_label(cell.visit_state)
        )
    language = get_language()
    # Safe: each body is built by format_html and each URL escaped in _icon.
    return mark_safe("".join(_icon(form, language) for form in cell.forms))
