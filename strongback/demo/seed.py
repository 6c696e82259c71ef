"""Build the demo trial: one user per role and participants at every stage of the journey."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from strongback.demo.devices import seed_devices
from strongback.demo.interviews import seed_demo_interviews
from strongback.demo.journeys import SCENARIOS, JourneyBuilder, ensure_demo_allocation_list
from trial.audit.context import audit_context
from trial.models import Participant, ScreeningEntry, User, VisitRecord
from trial.protocol import PROTOCOL
from trial.roles import ROLES, Role, forget_roles
from trial.services import sync_roles


class DemoRefused(Exception):
    """Demo data must never be written into a real trial database."""


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


def demo_username(role: Role) -> str:
    return role.code.replace("_", "")


def seed_demo(
    participants: int = 24,
    password: str | None = None,
    seed: int = 14864451,
    actigraphy: bool = False,
    imaging: bool = False,
    completers: int = 0,
) -> list[DemoLogin]:
    """``participants`` at every stage of the journey, then enough extra participants who
    completed week 16 for ``completers`` in all (the analysis report needs a cohort)."""
    if not getattr(settings, "TRIAL_DEMO", False):
        raise DemoRefused("seed_demo refuses to run: these settings are not a demo (TRIAL_DEMO).")
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    retire_foreign_anchor()
    logins = []
    with transaction.atomic(), audit_context(channel="system", reason="demo data (seed_demo)"):
        sync_roles()
        for role in ROLES:
            logins.append(_demo_user(role, password or secrets.token_urlsafe(12)))
        users = {login.role.code: User.objects.get(username=login.username) for login in logins}
        ensure_demo_allocation_list(users["statistician"])
        builder = JourneyBuilder(
            rng,
            timezone.localdate(),
            coordinator=users["coordinator"],
            therapist=users["therapist"],
            assessor=users["assessor"],
            pi=users["pi"],
        )
        existing = ScreeningEntry.objects.count()
        for index in range(existing, participants):
            builder.build(SCENARIOS[index % len(SCENARIOS)])
        done = VisitRecord.objects.filter(visit_code=PROTOCOL.primary_endpoint_visit).count()
        planned = sum(
            1
            for i in range(existing, participants)
            if SCENARIOS[i % len(SCENARIOS)] == "week16_done"
        )
        for _ in range(max(0, completers - done - planned)):
            builder.build("week16_done")
        builder.finish()
        if existing < participants:
            seed_devices(rng, users["coordinator"], users["assessor"], actigraphy=actigraphy)
            seed_demo_interviews(users["coordinator"], users["qualitative_researcher"])
        if imaging:
            seed_demo_imaging(users["coordinator"])
            seed_demo_cnn(users["coordinator"], users["assessor"])
    return logins


def retire_foreign_anchor() -> None:
    """A new demo database beside an old demo's audit anchor file: move the file aside, or every
    ``verify_audit`` would (rightly) report a trail that does not match it."""
    from trial.audit.anchor import AnchorTampered, anchor_path, latest_anchor
    from trial.models import AuditEntry

    try:
        anchor = latest_anchor()
    except AnchorTampered:
        anchor = None
    path = anchor_path()
    if not path.exists():
        return
    stored = (
        AuditEntry.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
        if anchor
        else None
    )
    if anchor is None or stored != anchor.hash:
        path.rename(path.with_name(f"{path.name}.previous-demo-{timezone.now():%Y%m%dT%H%M%S}"))


def seed_demo_imaging(coordinator: object) -> None:
    """One phantom MRI study of the first randomised participant, measured, awaiting review."""
    from imaging.demo import seed_imaging
    from imaging.models import ImagingStudy

    if ImagingStudy.objects.exists():
        return
    participant = Participant.objects.filter(randomized_on__isnull=False).order_by("pk").first()
    if participant is not None:
        seed_imaging(participant, coordinator)


def seed_demo_cnn(coordinator: object, reader: object) -> None:
    """MRI at every MRI visit of a participant who finished the last one, through the default CNN
    to approved metrics (skipped when the demo already has them)."""
    from imaging.demo import mri_visits, seed_cnn_studies
    from imaging.models import ImagingStudy
    from trial.models import VisitRecord

    follow_up = mri_visits()[-1]
    done = VisitRecord.objects.filter(visit_code=follow_up, outcome="done").values("participant")
    participant = Participant.objects.filter(pk__in=done).order_by("pk").first()
    if participant is None or ImagingStudy.objects.filter(participant=participant).exists():
        return
    seed_cnn_studies(participant, coordinator, reader)


def _demo_user(role: Role, password: str) -> DemoLogin:
    username = demo_username(role)
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": "Demo",
            "last_name": str(role.label),
            "email": f"{username}@example.org",
        },
    )
    user.set_password(password)
    user.is_staff = role.staff
    user.is_active = True
    user.save()
    user.groups.set([Group.objects.get(name=role.group_name)])
    forget_roles(user)
    return DemoLogin(role, username, password)
