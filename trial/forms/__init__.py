"""Forms of the core app. Edits of saved data carry a mandatory reason for change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trial.forms.numbers import StrictNumbersMixin
from trial.models import ScreeningEntry
from trial.widgets import DatePicker


class ReasonForChangeMixin(StrictNumbersMixin, forms.Form):
    """Adds ``reason_for_change``: required whenever an already-saved record is modified."""

    reason_for_change = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    # Fields whose change is not a change of saved data (e.g. a confirmation tick).
    reason_exempt_fields: frozenset[str] = frozenset()

    def editing_saved_data(self) -> bool:
        """A model form edits saved data when its instance exists; plain forms override this."""
        instance = getattr(self, "instance", None)
        return instance is not None and bool(instance.pk)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        exempt = {"reason_for_change", *self.reason_exempt_fields}
        changed = [name for name in self.changed_data if name not in exempt]
        if self.editing_saved_data() and changed and not cleaned.get("reason_for_change"):
            self.add_error("reason_for_change", _("Give a reason for changing saved data."))
        return cleaned

    def save_with_reason(self) -> Any:
        obj = self.save(commit=False)  # type: ignore[attr-defined]
        obj.save(reason=self.cleaned_data.get("reason_for_change", ""))
        return obj


class ScreeningEntryForm(ReasonForChangeMixin, forms.ModelForm):
    class Meta:
        model = ScreeningEntry
        fields = ["screened_on", "source", "age", "language", "outcome", "notes"]
        widgets = {"screened_on": DatePicker()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["reason_for_change"]
