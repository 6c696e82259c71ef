"""Forms of the participant journey. Edits of saved data carry a reason (ReasonForChangeMixin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trial.forms import ReasonForChangeMixin
from trial.models import (
    AdverseEvent,
    EligibilityAssessment,
    MedicalHistory,
    MriSafety,
    Participant,
    ParticipantIdentity,
    Sociodemographics,
    StudyExit,
)
from trial.models.choices import ConsentLanguage
from trial.models.visits import VisitOutcome
from trial.protocol.schema import FormSpec
from trial.validators import not_in_future
from trial.widgets import DatePicker

DATE = DatePicker()


def _dates(*names: str) -> dict[str, forms.Widget]:
    return dict.fromkeys(names, DATE)


class RecordForm(ReasonForChangeMixin, forms.ModelForm):
    """A model form whose reason field only appears once the record exists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["reason_for_change"]


class EligibilityForm(RecordForm):
    class Meta:
        model = EligibilityAssessment
        fields = [
            "date_of_birth",
            "lbp_onset",
            "lbp_half_days_last_6_months",
            "pddm_nociceptive",
            "pddm_nervous_system",
            "pddm_comorbidity",
            "pddm_cognitive_emotional",
            "pddm_contextual",
            "previous_spinal_surgery",
            "vertebral_fracture",
            "radiculopathy",
            "spondylolysis",
            "spondylolisthesis",
            "scoliosis_degrees",
            "exercise_limiting_condition",
        ]
        widgets = _dates("date_of_birth", "lbp_onset")


class MriSafetyForm(RecordForm):
    class Meta:
        model = MriSafety
        fields = [
            "mri_pacemaker",
            "mri_aneurysm_clip",
            "mri_metal_implant",
            "mri_metal_in_eye_or_body",
            "mri_tattoo",
            "mri_piercing",
            "mri_braces",
            "mri_claustrophobia",
            "mri_pregnancy",
            "mri_cleared_by_unit",
            "confirmed_at_baseline_on",
            "notes",
        ]
        widgets = {
            **_dates("confirmed_at_baseline_on"),
            **{
                name: forms.NullBooleanSelect()
                for name in fields
                if name.startswith("mri_") and name != "mri_cleared_by_unit"
            },
        }


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this person should be enrolled despite the rule"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    password = forms.CharField(
        label=_("Your password, to sign the override"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Your electronic signature (meaning: reviewed and approved)."),
    )
    otp_token = forms.CharField(
        label=_("Authenticator code (if you use one)"), required=False, max_length=8
    )


class EnrolmentForm(forms.Form):
    consent_version = forms.CharField(label=_("Consent form version"), max_length=32)
    consent_language = forms.ChoiceField(
        label=_("Consent language"), choices=ConsentLanguage.choices
    )
    consent_date = forms.DateField(
        label=_("Consent signed on"), widget=DATE, validators=[not_in_future]
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class IdentityForm(RecordForm):
    class Meta:
        model = ParticipantIdentity
        fields = ["first_name", "last_name", "date_of_birth", "email", "phone", "address"]
        widgets = {
            "first_name": forms.TextInput(),
            "last_name": forms.TextInput(),
            "email": forms.EmailInput(),
            "phone": forms.TextInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
        }


class ConsentForm(RecordForm):
    """Correcting the consent as recorded at enrolment (always with a reason)."""

    class Meta:
        model = Participant
        fields = ["consent_version", "consent_language", "consent_date"]
        widgets = _dates("consent_date")


class ScheduleForm(RecordForm):
    class Meta:
        model = Participant
        # Interview invitations go through the interviews app (answer, audio consent, counts).
        fields = ["session_1_planned_on"]
        widgets = _dates("session_1_planned_on")


class SociodemographicsForm(RecordForm):
    class Meta:
        model = Sociodemographics
        fields = [
            "completed_on",
            "sex",
            "gender",
            "education",
            "employment",
            "work_status",
            "lbp_duration_months",
            "lbp_history",
            "previous_treatments",
            "medications",
            "height_cm",
            "weight_kg",
        ]
        widgets = {
            **_dates("completed_on"),
            "previous_treatments": forms.Textarea(attrs={"rows": 2}),
            "medications": forms.Textarea(attrs={"rows": 2}),
        }


class MedicalHistoryForm(RecordForm):
    class Meta:
        model = MedicalHistory
        fields = [
            "completed_on",
            "hypertension",
            "cardiovascular_disease",
            "diabetes",
            "respiratory_disease",
            "osteoarthritis",
            "inflammatory_arthritis",
            "osteoporosis",
            "depression_or_anxiety",
            "cancer_history",
            "other_conditions",
            "smoking",
        ]
        widgets = {**_dates("completed_on"), "other_conditions": forms.Textarea(attrs={"rows": 2})}


class VisitRecordForm(ReasonForChangeMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VisitOutcome.choices)
    done_on = forms.DateField(
        label=_("Date done"), required=False, widget=DATE, validators=[not_in_future]
    )
    out_of_window_reason = forms.CharField(
        label=_("Reason, if outside the window"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    missed_reason = forms.CharField(
        label=_("Reason missed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    NOT_DONE_PREFIX = "not_done__"

    def __init__(self, *args: Any, missing: Sequence[FormSpec] = (), **kwargs: Any) -> None:
        """``missing``: the visit's forms not entered yet; each gets a "why not done" field."""
        super().__init__(*args, **kwargs)
        for form in missing:
            self.fields[self.NOT_DONE_PREFIX + form.code] = forms.CharField(
                label=_("%(form)s not entered: why it was not done") % {"form": form.label},
                required=False,
                max_length=300,
            )

    def forms_not_done(self) -> dict[str, str]:
        return {
            name.removeprefix(self.NOT_DONE_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(self.NOT_DONE_PREFIX) and value
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") == VisitOutcome.DONE and not cleaned.get("done_on"):
            self.add_error("done_on", _("Give the date the visit was done."))
        if cleaned.get("outcome") == VisitOutcome.MISSED and not cleaned.get("missed_reason"):
            self.add_error("missed_reason", _("Give the reason the visit was missed."))
        return cleaned


class AdverseEventForm(RecordForm):
    """The description is checked for words that would unblind; an unblinded author is warned
    and saves them only after ticking that they stand (blinded staff then see the text once it
    has been reviewed). A blinded editor never receives a text still under review."""

    save_despite_terms = forms.BooleanField(
        label=_("Save with these words anyway (blinded staff will see the text after review)"),
        required=False,
    )

    def __init__(self, *args: Any, author: object = None, shown_description: str = "",
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.author = author
        self.shown_description = shown_description
        if shown_description and shown_description != self.instance.description:
            del self.fields["description"]  # under review: a blinded editor keeps it unchanged
        if not self.data or "description" not in self.fields:
            del self.fields["save_despite_terms"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        from trial.services.text_review import flagged_terms

        terms = flagged_terms(cleaned.get("description") or "")
        if terms and not cleaned.get("save_despite_terms"):
            self.add_error(
                "description",
                _("These words may tell blinded staff the arm: %(terms)s. Rephrase, or tick "
                  "below to keep them.") % {"terms": ", ".join(terms)},
            )  # fmt: skip
        return cleaned

    class Meta:
        model = AdverseEvent
        fields = [
            "onset_on",
            "description",
            "severity",
            "serious",
            "relatedness",
            "action_taken",
            "outcome",
            "resolved_on",
        ]
        widgets = {
            **_dates("onset_on", "resolved_on"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ExitForm(RecordForm):
    class Meta:
        model = StudyExit
        fields = ["kind", "exit_on", "reason", "data_use", "notes"]
        widgets = {**_dates("exit_on"), "notes": forms.Textarea(attrs={"rows": 2})}
