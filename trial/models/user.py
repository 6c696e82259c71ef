"""The user account. Accounts are deactivated, never deleted, so audit rows stay attributable."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # 21 CFR 11.100: an account (and so a signature) is unique and never reassigned.
    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Users are deactivated, never deleted: audit rows refer to them.")
