"""Plausibility of dates (issue 24): a clinical event cannot be in the future of the trial's time
zone. Used on the model fields (every model form and the admin) and on the plain forms that
enter the same facts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def not_in_future(value: dt.date | None) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            _("%(date)s is in the future (today is %(today)s): check the date."),
            code="future_date",
            params={"date": value.isoformat(), "today": today.isoformat()},
        )
