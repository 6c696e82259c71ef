"""Recompute stored scores after a scoring version changes (old scores stay in the audit trail)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outcomes.instruments import INSTRUMENTS
from outcomes.instruments.services import rescore
from trial.audit.context import audit_context


class Command(BaseCommand):
    help = "Rescore every stored response of one instrument with its current scoring version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instrument", required=True, help=", ".join(INSTRUMENTS))
        parser.add_argument("--by", default="rescore command", help="who asked (audit trail)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["instrument"]
        if name not in INSTRUMENTS:
            raise CommandError(f"Unknown instrument {name!r}; known: {', '.join(INSTRUMENTS)}")
        with audit_context(channel="system", username=options["by"]):
            checked, changed = rescore(name)
        self.stdout.write(f"{name}: {checked} response(s) checked, {changed} rescored.")
