"""Login with optional TOTP, logout, and two-factor enrolment."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from trial.access.policy import requires
from trial.audit.recorder import record
from trial.models.audit import AuditAction
from trial.services.accounts import revoke_access


class LoginForm(AuthenticationForm):
    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=8,
        help_text=_("Only if you have set up two-factor authentication."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device: TOTPDevice | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return cleaned
        token = (cleaned.get("otp_token") or "").strip()
        device = match_token(user, token) if token else None
        if device is None:
            # A wrong second factor counts as a failed login (audited, and towards the lockout).
            user_login_failed.send(
                sender=__name__,
                credentials={"username": user.get_username()},
                request=self.request,
            )
            raise forms.ValidationError(
                _("Enter the current code from your authenticator app."), code="otp"
            )
        self.otp_device = device
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True
    access_public = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


class LogoutView(auth_views.LogoutView):
    access_signed_in = True


class LogoutEverywhereView(auth_views.LogoutView):
    """Log out here and on every other browser, and revoke every API token of this account."""

    access_signed_in = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            revoke_access(request.user, "logged out everywhere by the user")
        return super().post(request, *args, **kwargs)


@requires("trial.use_two_factor")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP authenticator: show the key (and QR code), confirm it with a first code."""
    import segno

    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        return render(request, "trial/two_factor_setup.html", {"confirmed": True})
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if token and device.verify_token(token):
            device.confirmed = True
            device.save()
            record(
                AuditAction.CONFIG_CHANGE,
                object_type="otp_totp.TOTPDevice",
                object_id=device.pk,
                reason="two-factor authentication enabled",
            )
            messages.success(request, _("Two-factor authentication is now required at login."))
            return redirect("home")
        error = _("That code did not match. Check the time on your phone and try again.")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "trial/two_factor_setup.html",
        {
            "confirmed": False,
            "qr": qr,
            "config_url": device.config_url,
            "secret": secret,
            "error": error,
        },
    )
