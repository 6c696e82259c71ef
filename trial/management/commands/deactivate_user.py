"""Deactivate an account (never deleted: the audit trail names it) and revoke its access."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trial.audit.context import audit_context
from trial.models import User
from trial.services.accounts import deactivate_user


class Command(BaseCommand):
    help = "Deactivate a user: no login, every session ended, every API token revoked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, username: str, reason: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}.")
        with audit_context(channel="system", reason=reason):
            try:
                deactivate_user(user, reason)
            except ValueError as refusal:
                raise CommandError(str(refusal)) from refusal
        self.stdout.write(self.style.SUCCESS(f"{username} is deactivated; access revoked."))
