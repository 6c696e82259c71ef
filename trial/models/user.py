"""The user account. Accounts are deactivated, never deleted, so audit rows stay attributable."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # 21 CFR 11.100: an account (and so a signature) is unique and never reassigned.
    email = models.EmailField(_("email address"), blank=True)
    # The language of the pages, kept with the account so it follows the person to any device.
    language = models.CharField(_("language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Users are deactivated, never deleted: audit rows refer to them.")
