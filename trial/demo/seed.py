"""Build the demo trial: one user per role and participants at every stage available so far."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from trial.audit.context import audit_context
from trial.models import ScreeningEntry, User
from trial.models.screening import ReferralSource, ScreeningLanguage, ScreeningOutcome
from trial.roles import ROLES, Role
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
    participants: int = 24, password: str | None = None, seed: int = 14864451
) -> list[DemoLogin]:
    if not getattr(settings, "TRIAL_DEMO", False):
        raise DemoRefused("seed_demo refuses to run: these settings are not a demo (TRIAL_DEMO).")
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    logins = []
    with transaction.atomic(), audit_context(channel="system", reason="demo data (seed_demo)"):
        sync_roles()
        for role in ROLES:
            logins.append(_demo_user(role, password or secrets.token_urlsafe(12)))
        existing = ScreeningEntry.objects.count()
        today = timezone.localdate()
        for _index in range(existing, participants):
            ScreeningEntry.objects.create(
                screened_on=today - dt.timedelta(days=rng.randint(0, 180)),
                source=rng.choice(ReferralSource.values),
                age=rng.randint(17, 65),
                language=rng.choice([ScreeningLanguage.ENGLISH, ScreeningLanguage.FRENCH]),
                outcome=rng.choice(ScreeningOutcome.values),
            )
    return logins


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
    return DemoLogin(role, username, password)
