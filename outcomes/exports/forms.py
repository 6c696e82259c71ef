"""The export form: the options shown depend on what the reader may have."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.exports.services import DATASET_PERMISSION, DATASETS
from outcomes.exports.variables import ExportOptions
from randomization.selectors import may_see_arm


class ExportForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Dataset"))
    deidentified = forms.BooleanField(
        label=_("De-identified (HIPAA Safe Harbor: no identifiers or free text, dates as study "
                "days from randomisation, ages over 89 grouped)"),
        required=False, initial=True,
    )  # fmt: skip
    include_arm = forms.BooleanField(label=_("Include the allocated arm"), required=False)
    identified = forms.BooleanField(
        label=_("Include names, contacts and dates of birth"), required=False
    )

    def __init__(self, user: object, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [
            (code, label)
            for code, label in DATASETS.items()
            if code not in DATASET_PERMISSION or user.has_perm(DATASET_PERMISSION[code])
        ]
        if not may_see_arm(user):
            del self.fields["include_arm"]
        if not user.has_perm("trial.export_identified_data"):
            del self.fields["identified"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("identified") and data.get("deidentified"):
            raise forms.ValidationError(
                _("Choose either de-identified or identified (with names), not both.")
            )
        return data

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        return ExportOptions(
            deidentified=bool(data.get("deidentified")),
            include_arm=bool(data.get("include_arm")),
            identified=bool(data.get("identified")),
        )
