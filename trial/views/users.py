"""User administration pages for the data manager and the PI (the Django admin is for superusers).

Every action posts a reason and goes through ``trial.services.users``, which audits it and refuses
self-administration. The set-password page is Django's password-reset confirmation, reached from
the one-time link the account's e-mail receives.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trial.access.policy import requires
from trial.audit.recorder import record
from trial.models import User
from trial.models.audit import AuditAction
from trial.redaction import public_message
from trial.roles import ROLES
from trial.services import users as service

ROLE_CHOICES = [(role.code, role.label) for role in ROLES]


class NewUserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("The one-time link to set a password is sent here."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("For example: joined the team as of 1 December (delegation log)."),
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@requires("trial.manage_users")
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "trial/users/list.html", {"accounts": service.account_summaries()})


@requires("trial.manage_users")
def user_new(request: HttpRequest) -> HttpResponse:
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = service.create_user(
                request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role_code=data["role"],
                reason=data["reason"],
                base_url=_base_url(request),
            )
        except service.UserAdminRefused as refusal:
            form.add_error(None, public_message(refusal))
        else:
            messages.success(
                request,
                _("Account %(username)s created; the set-password link was sent to %(email)s.")
                % {"username": user.username, "email": user.email},
            )
            return redirect("user_detail", pk=user.pk)
    return render(request, "trial/users/new.html", {"form": form})


def _act(request: HttpRequest, user: User) -> tuple[str, str | None]:
    """Run the posted action; returns (message, API key shown once or None)."""
    action = request.POST.get("action", "")
    why = request.POST.get("reason", "")
    actor = request.user
    if action == "role":
        service.change_role(actor, user, request.POST.get("role", ""), why)
        return _("Role changed; the account's sessions and API tokens were ended."), None
    if action == "deactivate":
        service.deactivate(actor, user, why)
        return _("Account deactivated; its sessions and API tokens were ended."), None
    if action == "reactivate":
        service.reactivate(actor, user, why)
        return _("Account reactivated."), None
    if action == "unlock":
        service.unlock(actor, user, why)
        return _("Login lockout cleared."), None
    if action == "reset_password":
        service.force_password_reset(actor, user, why, _base_url(request))
        return _(
            "Password invalidated; a set-password link was sent to the account's e-mail."
        ), None
    if action in ("unblind", "blind"):
        service.set_unblinded_flag(actor, user, action == "unblind", why)
        return _("Unblinded flag changed; the account's sessions and API tokens were ended."), None
    if action == "issue_token":
        key = service.issue_token(actor, user, why)
        return _("API token issued. Copy it now: it is not shown again."), key
    if action == "revoke_token":
        service.revoke_token(actor, user, why)
        return _("API token revoked."), None
    raise service.UserAdminRefused(_("Unknown action."))


@requires("trial.manage_users")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    new_token = None
    if request.method == "POST":
        try:
            message, new_token = _act(request, user)
        except service.UserAdminRefused as refusal:
            messages.error(request, public_message(refusal))
            return redirect("user_detail", pk=user.pk)
        messages.success(request, message)
        if new_token is None:
            return redirect("user_detail", pk=user.pk)
        user.refresh_from_db()
    response = render(
        request,
        "trial/users/detail.html",
        {
            "account": service.summary_of(user),
            "is_self": user.pk == request.user.pk,
            "roles": ROLE_CHOICES,
            "new_token": new_token,
            "may_flag": request.user.has_perm("trial.approve_unblinding"),
        },
    )
    if new_token is not None:
        response["Cache-Control"] = "no-store"
    return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one-time link's page: choose a password (the link dies once it is used)."""

    access_public = True
    template_name = "registration/password_set.html"
    success_url = reverse_lazy("login")
    reset_url_token = "set-password"  # noqa: S105 (a URL segment, not a secret)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(
            AuditAction.PERMISSION_CHANGE,
            object_type=service.OBJECT_TYPE,
            object_id=form.user.pk,
            subject=form.user.username,
            reason="password set by the account holder from a one-time link",
        )
        messages.success(self.request, _("Your password is set. Log in with it now."))
        return response
