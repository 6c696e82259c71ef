"""Admin for data managers and the PI: edits of audited data ask for a reason; no deletes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from trial.audit.recorder import FieldChange, record
from trial.models import AuditEntry, ScreeningEntry, User, WorkerHeartbeat
from trial.models.audit import AuditAction


class ReasonForChangeForm(forms.ModelForm):
    reason_for_change = forms.CharField(
        label=_("Reason for change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when changing data that has already been saved."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not cleaned.get("reason_for_change", ""):
            self.add_error("reason_for_change", _("Give a reason for this change."))
        return cleaned


class AuditedModelAdmin(admin.ModelAdmin):
    """Base admin for ``AuditedModel`` subclasses."""

    form = ReasonForChangeForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.save(reason=form.cleaned_data.get("reason_for_change", ""))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class TrialUserAdmin(UserAdmin):
    """Account and role changes are written to the audit trail (ICH E6(R3) 4.2.2(i))."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.groups.values_list("name", flat=True))
        action = AuditAction.PERMISSION_CHANGE if change else AuditAction.CREATE
        if before != after or not change:
            record(
                action,
                object_type="trial.User",
                object_id=form.instance.pk,
                changes=[FieldChange("groups", ",".join(before) or None, ",".join(after) or None)],
                reason="account created" if not change else "roles changed in admin",
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "seq",
        "occurred_at",
        "username",
        "role",
        "action",
        "object_type",
        "subject",
        "field",
        "channel",
    )
    list_filter = ("action", "channel", "object_type")
    search_fields = ("username", "subject", "field", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "note", "recorded_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScreeningEntry)
class ScreeningEntryAdmin(AuditedModelAdmin):
    list_display = ("screening_code", "screened_on", "source", "age", "language", "outcome")
    list_filter = ("outcome", "source", "language")
