"""The record status grid's cells, written in one call per visit: a template loop per form icon
(50 rows x 12 visits x up to 6 forms, ten lookups each) was most of the page's server time."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from trial.selectors.record_status import FormCell, VisitCell
from trial.state_labels import state_label

register = template.Library()

_BODY = (
    ' class="form-state form-state-{state}" data-form="{code}" data-state="{state}" '
    'title="{title}"><span class="visually-hidden">{label}: {words}</span>'
)


@lru_cache(maxsize=4096)
def _body(state: str, code: str, title: str, label: str, words: str) -> SafeString:
    """An icon without its link: the same few dozen bodies repeat down the grid."""
    return format_html(_BODY, state=state, code=code, title=title, label=label, words=words)


def _icon(form: FormCell) -> SafeString:
    body = _body(str(form.state), form.code, form.title, form.label, form.state_words)
    if form.url:
        return format_html('<a href="{}"{}</a>', form.url, body)
    return format_html("<span{}</span>", body)


@register.simple_tag
def status_cell(cell: VisitCell) -> SafeString:
    """The visit's form icons, each a link where this reader may open the form; the visit's
    state in words while nothing is due."""
    if not cell.forms:
        return format_html(
            '<span class="small text-muted">{}</span>', state_label(cell.visit_state)
        )
    return format_html_join("", "{}", ((_icon(form),) for form in cell.forms))
