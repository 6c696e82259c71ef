"""One form class for every questionnaire, built from the instrument's definition (items,
allowed values, labels in the active language): no template or form per questionnaire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from outcomes.instruments.base import Instrument, Item
from trial.forms import ReasonForChangeMixin
from trial.forms.numbers import StrictNumbersMixin
from trial.validators import not_in_future
from trial.widgets import DatePicker


def _field(item: Item, language: str) -> forms.Field:
    label = item.label.in_language(language)
    if item.choices:
        return forms.TypedChoiceField(
            label=label,
            choices=[(str(code), text.in_language(language)) for code, text in item.choices],
            coerce=int,
            required=False,
            empty_value=None,
            widget=forms.RadioSelect,
        )
    unit = item.unit.in_language(language) if item.unit else ""
    return forms.IntegerField(
        label=label,
        min_value=item.low,
        max_value=item.high,
        required=False,
        help_text=f"{unit} ({item.low}-{item.high})" if unit else "",
    )


@dataclass(frozen=True)
class Block:
    """Items shown together: a matrix (items x answers, one header row of the shared answers)
    when two or more consecutive items offer the same answers, else one field each."""

    choices: tuple[tuple[str, str], ...]  # (code, label) of the header; empty: not a matrix
    fields: tuple[forms.BoundField, ...]

    @property
    def matrix(self) -> bool:
        return bool(self.choices)


def _blocks(form: forms.Form, items: tuple[Item, ...], language: str) -> list[Block]:
    def answers(item: Item) -> tuple[tuple[str, str], ...]:
        """(code, header): the answer's words with its printed score, unless they hold it."""
        shown = []
        for code, text in item.choices:
            words = text.in_language(language)
            shown.append((str(code), words if f"({code})" in words else f"{words} ({code})"))
        return tuple(shown)

    runs: list[tuple[tuple[tuple[str, str], ...], list[Item]]] = []
    for item in items:
        shared = answers(item)
        if shared and runs and runs[-1][0] == shared:
            runs[-1][1].append(item)
        else:
            runs.append((shared, [item]))
    return [
        Block(shared if len(run) > 1 else (), tuple(form[item.key] for item in run))
        for shared, run in runs
    ]


def add_items(form: forms.Form, instrument: Instrument) -> None:
    """Add one field per item and group the bound fields by section (and, within a section,
    into matrices of items sharing their answers) for the template."""
    language = get_language() or "en"
    for item in instrument.items:
        form.fields[item.key] = _field(item, language)
    form.sections = [  # type: ignore[attr-defined]
        (
            section.title.in_language(language),
            section.note.in_language(language) if section.note else "",
            _blocks(form, section.items, language),
        )
        for section in instrument.sections
    ]


class InstrumentForm(ReasonForChangeMixin, forms.Form):
    """Answers of one questionnaire; blank = not answered (saving then asks for confirmation)."""

    completed_on = forms.DateField(
        label=_("Completed on"),
        widget=DatePicker(attrs={"autofocus": True}),
        validators=[not_in_future],
    )
    confirm_warnings = forms.BooleanField(
        label=_("I have checked these answers against the paper form; save them as they are."),
        required=False,
    )
    reason_exempt_fields = frozenset({"confirm_warnings"})

    def __init__(
        self,
        *args: Any,
        instrument: Instrument,
        editing: bool = False,
        reason_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.editing = editing
        add_items(self, instrument)
        self.fields["reason_for_change"] = self.fields.pop("reason_for_change")
        self.fields["confirm_warnings"] = self.fields.pop("confirm_warnings")
        if not editing:
            del self.fields["reason_for_change"]
        elif reason_required:
            self.fields["reason_for_change"].required = True

    def editing_saved_data(self) -> bool:
        return self.editing

    def responses(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in self.instrument.items}


class SecondEntryForm(StrictNumbersMixin, forms.Form):
    """The primary outcome entered again, blind to the first entry."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        add_items(self, instrument)

    def responses(self) -> dict[str, int | None]:
        return {item.key: self.cleaned_data.get(item.key) for item in self.instrument.items}
