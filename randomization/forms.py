"""The statistician's upload form for an allocation list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from randomization.models import Environment

MAX_LIST_BYTES = 2_000_000


class AllocationListUploadForm(forms.Form):
    file = forms.FileField(label=_("Allocation list (CSV)"))
    environment = forms.ChoiceField(label=_("Environment"), choices=Environment.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    sha256 = forms.CharField(
        label=_("Expected SHA-256 (from the .sha256 file)"),
        max_length=64,
        min_length=64,
        required=False,
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("The file is larger than an allocation list can be."))
        return upload.read()
