"""The baseline LSIQ form: 15 yes/no items (item wording is the licensed form's; the page shows
item numbers for the paper form beside it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.instruments import lsiq
from trial.forms import ReasonForChangeMixin

YES_NO = [("1", _("Yes")), ("0", _("No"))]


class LsiqForm(ReasonForChangeMixin, forms.Form):
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, frozen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, item in enumerate(lsiq.ITEMS, start=1):
            self.fields[item] = forms.TypedChoiceField(
                label=_("Item %(n)d") % {"n": number},
                choices=YES_NO,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.frozen = frozen
        # Move the reason to the end of the form.
        self.fields["reason_for_change"] = self.fields.pop("reason_for_change")
        if frozen:
            self.fields["reason_for_change"].required = True
            self.fields["reason_for_change"].help_text = _(
                "The participant is randomised: the LSIQ is frozen. A correction is audited and "
                "flags the participant as mis-stratified if the stratum changes; the stratum used "
                "for randomisation stays."
            )

    def responses(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in lsiq.ITEMS}
