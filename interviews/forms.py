"""Forms of the interviews pages (plain forms; the services validate and save)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from interviews.deid.proposals import Category
from interviews.models import (
    AudioConsent,
    InterviewGuide,
    InterviewMode,
    InvitationAnswer,
    Timepoint,
)
from trial.validators import not_in_future
from trial.widgets import DatePicker, DateTimePicker

DATE = DatePicker()


class InviteForm(forms.Form):
    study_id = forms.CharField(label=_("Study ID"), max_length=16)
    timepoint = forms.ChoiceField(label=_("Interview"), choices=Timepoint.choices)
    invited_on = forms.DateField(label=_("Invited on"), widget=DATE, validators=[not_in_future])


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=InvitationAnswer.choices)
    answered_on = forms.DateField(
        label=_("Answered on"), widget=DATE, required=False, validators=[not_in_future]
    )


class AudioConsentForm(forms.Form):
    audio_consent = forms.ChoiceField(label=_("Audio recording"), choices=AudioConsent.choices)
    version = forms.CharField(label=_("Audio consent form version"), max_length=32, required=False)
    signed_on = forms.DateField(
        label=_("Signed on"), widget=DATE, required=False, validators=[not_in_future]
    )


class GuideForm(forms.Form):
    timepoint = forms.ChoiceField(label=_("Interview"), choices=Timepoint.choices)
    version = forms.CharField(label=_("Version"), max_length=16)
    questions = forms.CharField(label=_("Questions and prompts"), widget=forms.Textarea)
    changes = forms.CharField(
        label=_("What changed from the previous version, and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class InterviewForm(forms.Form):
    guide = forms.ModelChoiceField(label=_("Guide version"), queryset=InterviewGuide.objects.none())
    mode = forms.ChoiceField(label=_("Mode"), choices=InterviewMode.choices)
    interviewer = forms.ModelChoiceField(
        label=_("Interviewer"), queryset=get_user_model().objects.none()
    )
    started_at = forms.DateTimeField(label=_("Started at"), widget=DateTimePicker())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    out_of_window_reason = forms.CharField(
        label=_("Reason, if outside the visit window"), required=False
    )
    notes = forms.CharField(
        label=_("Notes (no identifying details)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: object, timepoint: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = InterviewGuide.objects.filter(timepoint=timepoint)
        self.fields["interviewer"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name="qualitative_researcher")
            .order_by("username")
        )


class RecordingForm(forms.Form):
    audio = forms.FileField(label=_("Recording (WAV, MP3 or M4A)"))


class TranscriptForm(forms.Form):
    transcript = forms.FileField(label=_("Transcript (.txt, .docx, .vtt or .srt)"))
    language = forms.ChoiceField(
        label=_("Language"), choices=[("en", _("English")), ("fr", _("French"))]
    )


class ManualRedactionForm(forms.Form):
    phrase = forms.CharField(label=_("Words to redact everywhere"), max_length=200)
    category = forms.ChoiceField(
        label=_("Kind"), choices=[(c.value, c.value.replace("_", " ")) for c in Category]
    )
