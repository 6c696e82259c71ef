"""Read-side helpers for device and app data shown on the participant page and worklists."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from outcomes.dashboards import charts
from outcomes.imports.mmp import WeeklyPain, weekly_pain
from outcomes.models import AppEnrolment, PainEntry
from trial.models import Participant
from trial.protocol import PROTOCOL


def weekly_pain_of(participant: Participant) -> list[WeeklyPain]:
    if participant.randomized_on is None:
        return []
    entries = [
        (timezone.localtime(at).date(), severity)
        for at, severity in PainEntry.objects.filter(participant=participant).values_list(
            "recorded_at", "severity"
        )
    ]
    return weekly_pain(participant.randomized_on, entries, PROTOCOL.sessions.weeks)


def pain_panel(participant: Participant) -> dict[str, object]:
    weeks = weekly_pain_of(participant)
    chart = charts.line_chart(
        {_("weekly mean pain (0-10)"): [(w.week, w.mean) for w in weeks]},
        _("programme week"),
        _("pain"),
        [1, 4, 8, 12, 16],
        _("Weekly pain from Manage My Pain"),
    )
    code = AppEnrolment.objects.filter(participant=participant).values_list("code", flat=True)
    return {"weeks": weeks, "chart": chart, "code": code.first()}


APP_FORM = "mmp_pain"


def pain_weeks_done(participant_ids: list[int]) -> dict[int, set[str]]:
    """Per participant, the weekly app-rating visits that have at least one app entry (the
    protocol's visits collecting the app form, one per week from session 1)."""
    weekly_visits = PROTOCOL.visits_with(APP_FORM)
    starts = dict(
        Participant.objects.filter(pk__in=participant_ids, randomized_on__isnull=False).values_list(
            "pk", "randomized_on"
        )
    )
    done: dict[int, set[str]] = {pid: set() for pid in participant_ids}
    for pid, at in PainEntry.objects.filter(participant_id__in=starts).values_list(
        "participant_id", "recorded_at"
    ):
        week = (timezone.localtime(at).date() - starts[pid]).days // 7 + 1
        if 1 <= week <= len(weekly_visits):
            done[pid].add(weekly_visits[week - 1])
    return done
