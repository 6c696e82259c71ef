"""Apply the roles declared in ``trial.roles`` as Django groups (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from trial.services import sync_roles


class Command(BaseCommand):
    help = "Create or update one group per trial role with exactly its declared permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        for code, count in sync_roles().items():
            self.stdout.write(f"{code}: {count} permissions")
