"""Forms for device data: MedX printout entry, the sleep diary week, uploads."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.devices.models.strength import MEDX_ANGLES, TorqueUnit
from outcomes.imports.service import default_profile
from outcomes.models import ImportKind, ImportProfile, MedxTest, SleepDiaryNight
from trial.forms import ReasonForChangeMixin
from trial.forms.numbers import StrictNumbersMixin
from trial.widgets import DatePicker

MAX_UPLOAD_BYTES = 512 * 2**20
# An export of a whole trial's DynaMo or app data is a few megabytes; parsing is in memory.
MAX_CSV_BYTES = 20 * 2**20


class MedxForm(ReasonForChangeMixin, forms.ModelForm):
    """Values as printed, in the printout's unit; the service stores N·m."""

    class Meta:
        model = MedxTest
        fields = [
            "tested_on",
            "unit_entered",
            "counterweight",
            "gravity_torque_nm",
            "gravity_corrected",
            "rom_flexion_deg",
            "rom_extension_deg",
            "seat_height",
            "footboard",
            "femur_restraint",
            "head_rest",
            "notes",
        ]
        widgets = {"tested_on": DatePicker()}
        labels = {"gravity_torque_nm": _("Upper-body (gravity) torque, in the printout's unit")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        printed = (self.instance.as_printed or {}) if self.instance.pk else {}
        for angle in MEDX_ANGLES:
            self.fields[f"printed_{angle}"] = forms.FloatField(
                label=_("Torque at %(angle)d°") % {"angle": angle},
                required=False,
                min_value=0,
                max_value=1500,
                initial=printed.get(str(angle)),
            )
        self.fields["unit_entered"].initial = TorqueUnit.FOOT_POUND
        if printed.get("gravity_torque") is not None:
            self.initial["gravity_torque_nm"] = printed["gravity_torque"]

    def printed(self) -> dict[int, float | None]:
        return {a: self.cleaned_data.get(f"printed_{a}") for a in MEDX_ANGLES}

    def clean(self):
        data = super().clean()
        if not any(v is not None for v in self.printed().values()):
            raise forms.ValidationError(_("Enter the torque of at least one angle."))
        flexion, extension = data.get("rom_flexion_deg"), data.get("rom_extension_deg")
        if flexion is not None and extension is not None:
            if extension > flexion:
                raise forms.ValidationError(_("The extension end must be below the flexion end."))
            outside = [
                a
                for a, v in self.printed().items()
                if v is not None and not extension <= a <= flexion
            ]
            if outside:
                raise forms.ValidationError(
                    _("Torque entered at %(angles)s°, outside the range of motion.")
                    % {"angles": ", ".join(map(str, outside))}
                )
        return data


class DiaryNightForm(StrictNumbersMixin, forms.ModelForm):
    class Meta:
        model = SleepDiaryNight
        fields = [
            "night",
            "into_bed",
            "lights_out",
            "estimated_sol_min",
            "awakenings",
            "estimated_waso_min",
            "final_wake",
            "out_of_bed",
            "quality",
            "comments",
        ]
        widgets = {
            "night": DatePicker(),
            **{
                name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                for name in ("into_bed", "lights_out", "final_wake", "out_of_bed")
            },
        }

    def clean(self):
        data = super().clean()
        into_bed, out_of_bed = data.get("into_bed"), data.get("out_of_bed")
        if into_bed and out_of_bed and into_bed < dt.time(12) and out_of_bed >= dt.time(12):
            raise forms.ValidationError(
                _("Into bed after midnight and out of bed after noon: check the times.")
            )
        return data


DiaryFormSet = forms.modelformset_factory(
    SleepDiaryNight, form=DiaryNightForm, extra=7, max_num=7, validate_max=True, can_delete=False
)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is over 512 MB."))
        return upload


class CsvImportForm(UploadForm):
    profile = forms.ModelChoiceField(queryset=ImportProfile.objects.none(), label=_("Layout"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is over %(mb)d MB, the limit for a CSV export.")
                % {"mb": MAX_CSV_BYTES // 2**20}
            )
        return upload

    def __init__(self, kind: ImportKind, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].initial = default_profile(kind)
        self.fields["profile"].queryset = ImportProfile.objects.filter(kind=kind)
