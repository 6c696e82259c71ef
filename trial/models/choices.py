"""Coded answers shared by several forms (coded, so CONSORT and exports can count them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class PddmCategory(models.TextChoices):
    NOT_A_DRIVER = "0", _("0 - not a driver")
    A = "A", _("Category A")
    B = "B", _("Category B")


class ConsentLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
