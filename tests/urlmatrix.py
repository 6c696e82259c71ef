"""Every URL pattern of the project as a concrete path, with real ids from seeded data.

Tests that must cover "every page" iterate over this, so a new page is covered automatically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern
from django.urls.resolvers import RegexPattern

from trial.checks import iter_patterns

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class ConcreteUrl:
    name: str  # "namespace:name" or "name"
    path: str
    namespaces: tuple[str, ...]


def _sample(name: str, converter: str | None, ids: dict[str, str]) -> str:
    if name in ids:
        return ids[name]
    if name == "app_label":
        return "trial"
    if converter == "int":
        return ids.get("pk", "1")
    return ids.get("pk", "1")


def concrete_urls(ids: dict[str, str]) -> list[ConcreteUrl]:
    urls = []
    for route, pattern, namespaces in iter_patterns():
        assert isinstance(pattern, URLPattern)
        qualified = ":".join([*namespaces, pattern.name or "?"])
        if isinstance(pattern.pattern, RegexPattern):
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _sample(m.group(1), None, ids), route)
            path = path.replace("^", "").replace("$", "").replace("\\", "")
        else:
            path = _ROUTE_PARAM.sub(lambda m: _sample(m.group("name"), m.group("conv"), ids), route)
        urls.append(ConcreteUrl(qualified, "/" + path, tuple(namespaces)))
    return urls


def seeded_ids() -> dict[str, str]:
    """Real ids from the demo data: the first (randomised, with sessions and events) participant."""
    from trial.models import AdverseEvent, Participant, ScreeningEntry

    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    assert participant is not None, "seed_demo must create a randomised participant first"
    event = AdverseEvent.objects.filter(participant=participant).order_by("pk").first()
    from outcomes.models import DeviceImport

    upload = DeviceImport.objects.order_by("pk").first()
    from imaging.models import ImagingStudy
    from strongback.demo.seed import demo_username, seed_demo_imaging
    from trial.models import User
    from trial.roles import COORDINATOR

    seed_demo_imaging(User.objects.get(username=demo_username(COORDINATOR)))
    study = ImagingStudy.objects.order_by("pk").first()
    run = study.runs.order_by("pk").first()
    assert upload is not None, "seed_demo must import device or app data"
    from interviews.models import Interview, InterviewInvitation

    interview = Interview.objects.order_by("pk").first()
    assert interview is not None, "seed_demo must hold an interview"
    return {
        "kind": "dynamo",
        "import_id": str(upload.pk),
        "pk": str(ScreeningEntry.objects.order_by("pk").first().pk),
        "study_id": participant.study_id,
        "visit_code": "baseline",
        "instrument": "odi",
        "number": "1",
        "event_id": str(event.pk if event else 1),
        "study_pk": str(study.pk),
        "run_pk": str(run.pk),
        "series_pk": str(study.series.order_by("pk").first().pk),
        "axis": "2",
        "index": "0",
        "name": "L5",
        "fmt": "svg",
        "invitation_id": str(InterviewInvitation.objects.order_by("pk").first().pk),
        "interview_id": str(interview.pk),
        "recording_id": str(interview.recordings.order_by("pk").first().pk),
        "transcript_id": str(interview.transcripts.order_by("pk").first().pk),
    }
