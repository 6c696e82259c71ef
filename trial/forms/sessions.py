"""The session log form: attendance plus one row per exercise of the arm's session template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trial.forms import ReasonForChangeMixin
from trial.forms.numbers import StrictNumbersMixin
from trial.models.sessions import Attendance, MissedReason
from trial.protocol.schema import SessionTemplate
from trial.services.sessions import ExerciseDone
from trial.validators import not_in_future
from trial.widgets import DatePicker

EXTRA_INDIVIDUALISED_ROWS = 6


class SessionForm(ReasonForChangeMixin, forms.Form):
    session_date = forms.DateField(label=_("Date"), widget=DatePicker(), validators=[not_in_future])
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    missed_reason = forms.ChoiceField(
        label=_("Reason missed"), choices=[("", "---------"), *MissedReason.choices], required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=180, required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("attendance") == Attendance.MISSED and not cleaned.get("missed_reason"):
            self.add_error("missed_reason", _("Give the reason the session was missed."))
        if cleaned.get("attendance") == Attendance.ATTENDED and not cleaned.get("duration_minutes"):
            self.add_error("duration_minutes", _("Give the session's duration."))
        return cleaned


class ExerciseRowForm(StrictNumbersMixin, forms.Form):
    exercise_code = forms.CharField(widget=forms.HiddenInput)
    exercise_name = forms.CharField(label=_("Exercise"), max_length=120, required=False)
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=20, required=False)
    reps = forms.IntegerField(label=_("Reps / s"), min_value=1, max_value=600, required=False)
    load = forms.DecimalField(
        label=_("Load"), min_value=0, max_value=1000, decimal_places=1, required=False
    )
    rpe = forms.IntegerField(label=_("RPE"), min_value=0, max_value=10, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        entered = any(cleaned.get(k) not in (None, "") for k in ("sets", "reps", "load", "rpe"))
        if entered and not (cleaned.get("sets") and cleaned.get("reps")):
            raise forms.ValidationError(_("Give sets and reps (or seconds) for this exercise."))
        if (
            entered
            and cleaned.get("exercise_code") == "individualised"
            and not cleaned.get("exercise_name")
        ):
            raise forms.ValidationError(_("Name the individualised exercise."))
        return cleaned

    def done(self) -> ExerciseDone | None:
        data = self.cleaned_data
        if not data.get("sets"):
            return None
        return ExerciseDone(
            exercise_code=data["exercise_code"],
            exercise_name=(data.get("exercise_name") or "")
            if data["exercise_code"] == "individualised"
            else "",
            sets=data["sets"],
            reps=data["reps"],
            load=data.get("load"),
            rpe=data.get("rpe"),
        )


ExerciseFormSet = forms.formset_factory(ExerciseRowForm, extra=0)


def exercise_initial(
    template: SessionTemplate, logged: list[Any], carried: bool = False
) -> list[dict[str, Any]]:
    """One row per template exercise (pre-filled from a previous log), plus blank rows for
    individualised exercises (motor control). ``carried``: the log is an earlier session's, so
    its effort ratings (RPE) are left for today's."""
    by_code = {e.exercise_code: e for e in logged if not e.exercise_name}
    rows = []
    for exercise in template.exercises:
        entry = by_code.get(exercise.code)
        rows.append(_row(exercise.code, exercise.label, entry, carried))
    if template.individualised:
        named = [e for e in logged if e.exercise_name]
        rows += [_row("individualised", e.exercise_name, e, carried) for e in named]
        rows += [_row("individualised", "", None) for _ in range(EXTRA_INDIVIDUALISED_ROWS)]
    return rows


def _row(code: str, name: str, entry: Any, carried: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {"exercise_code": code, "exercise_name": name}
    if entry is not None:
        row.update(sets=entry.sets, reps=entry.reps, load=entry.load)
        row["rpe"] = None if carried else entry.rpe
    return row
