"""``manage.py export_training_set --out DIR``: approved masks and their images for fine-tuning."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from imaging.services.training_set import export_training_set


class Command(BaseCommand):
    help = "Write approved masks and their images (NIfTI) as images/ and labels/ folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: object, out: Path, **options: object) -> None:
        names = export_training_set(out)
        self.stdout.write(f"{len(names)} approved masks written to {out}")
