"""Token authentication that ends: tokens expire, and die with lockout and deactivation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from trial.services.accounts import is_locked_out, revoke_access


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused once older than ``API_TOKEN_MAX_AGE`` (the token is deleted then),
    and revoked when its owner is locked out (the lockout page's rule, applied to the API)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)  # refuses unknown and inactive
        if timezone.now() - token.created > settings.API_TOKEN_MAX_AGE:
            token.delete()
            raise AuthenticationFailed(_("This API token has expired; ask for a new one."))
        if is_locked_out(user.get_username()):
            revoke_access(user, "account locked out after failed logins")
            raise AuthenticationFailed(_("This account is locked; its API tokens are revoked."))
        return user, token
