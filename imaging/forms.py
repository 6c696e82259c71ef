"""Forms of the imaging pages: upload, reader decisions, corrected masks, levels."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imaging.metrics.levels import DISCS


class FolderInput(forms.ClearableFileInput):
    """A file input that selects a whole folder (every file inside it, subfolders included)."""

    allow_multiple_selected = True

    def __init__(self) -> None:
        super().__init__(attrs={"webkitdirectory": True, "multiple": True})


class FolderField(forms.FileField):
    """The files of a chosen folder, as a list (Django's documented multiple-file pattern)."""

    widget = FolderInput

    def clean(self, data: object, initial: object = None) -> list:
        if isinstance(data, list | tuple):
            return [super(FolderField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class StudyUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you upload"),
        choices=[
            ("dicom", _("A zip of the DICOM study (CD or PACS export)")),
            ("folder", _("A folder of DICOM files (choose it below)")),
            ("nifti", _("A NIfTI image, for research use")),
        ],
    )
    file = forms.FileField(label=_("File"), required=False)
    folder = FolderField(label=_("Folder"), required=False)
    labels = forms.FileField(label=_("Label map (NIfTI, optional, research uploads only)"),
                             required=False)  # fmt: skip
    fat = forms.FileField(label=_("Dixon fat image (NIfTI, optional, with the water image)"),
                          required=False)  # fmt: skip
    water = forms.FileField(label=_("Dixon water image (NIfTI, optional, with the fat image)"),
                            required=False)  # fmt: skip
    same_acquisition = forms.BooleanField(
        label=_("The fat and water images are one acquisition with the image, although their "
                "headers disagree (recorded with the measurements)"),
        required=False,
    )  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("fat")) != bool(data.get("water")):
            missing = "water" if data.get("fat") else "fat"
            self.add_error(missing, _("Dixon fat fraction needs both the fat and water image."))
        if data.get("fat") and data.get("kind") != "nifti":
            self.add_error("fat", _("Fat and water images go with a NIfTI upload; a DICOM "
                                    "study brings its own Dixon series."))  # fmt: skip
        if data.get("kind") == "folder" and not data.get("folder"):
            self.add_error("folder", _("Choose the folder that holds the DICOM files."))
        elif data.get("kind") in ("dicom", "nifti") and not data.get("file"):
            self.add_error("file", _("Choose the file to upload."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (required to reject)"), required=False,
                             max_length=500)  # fmt: skip


class CorrectedMaskForm(forms.Form):
    mask = forms.FileField(label=_("Corrected mask (NIfTI on the image grid, or DICOM SEG)"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for choosing this series"), max_length=500)


class DiscPointForm(forms.Form):
    """One disc clicked in the picker: canonical voxel indices, converted to LPS by the view."""

    disc = forms.ChoiceField(choices=[(d, d) for d in DISCS])
    i = forms.FloatField(min_value=0)
    j = forms.FloatField(min_value=0)
    k = forms.FloatField(min_value=0)


class LevelsFileForm(forms.Form):
    levels = forms.FileField(label=_('Levels JSON: {"discs": {"L4-L5": [x, y, z], ...}} (LPS mm)'))
