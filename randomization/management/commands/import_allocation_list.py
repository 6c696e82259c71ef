"""``import_allocation_list list.csv [--environment test|production] [--name N] [--sha256 H]``.

Validates the file (columns, arms and strata of the protocol, contiguous positions, balanced
blocks) and stores it sealed. With ``--sha256`` (or a ``list.csv.sha256`` file beside it) the
file must match the digest the statistician generated. Prints counts, never an arm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from randomization.importing import InvalidAllocationList, extend_list, import_list
from randomization.listfile import sha256
from randomization.models import AllocationList, Environment
from trial.audit.context import audit_context, context_for_user
from trial.models import User


class Command(BaseCommand):
    help = "Import a sealed allocation list (CSV) for test or production randomisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--environment", choices=Environment.values, default=Environment.PRODUCTION
        )
        parser.add_argument("--name", default="")
        parser.add_argument("--sha256", default="", help="Expected SHA-256 of the file.")
        parser.add_argument(
            "--imported-by", required=True, help="Username recorded as the importer."
        )
        parser.add_argument(
            "--append-to",
            default="",
            help="SHA-256 (or its first 12 characters) of an imported list to extend instead.",
        )
        parser.add_argument("--reason", default="", help="Why (required to extend a list in use).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        content = path.read_bytes()
        expected = options["sha256"] or _digest_beside(path)
        if expected and expected != sha256(content):
            raise CommandError(
                f"{path} does not match its SHA-256 ({expected}); "
                "the file changed after generation."
            )
        try:
            user = User.objects.get(username=options["imported_by"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['imported_by']!r}.") from None
        with audit_context(
            **context_for_user(
                user, channel="import", reason=f"allocation list import from {path.name}"
            )
        ):
            try:
                if options["append_to"]:
                    target = _list_for(options["append_to"])
                    added = extend_list(target, content, options["reason"])
                    self.stdout.write(f"Appended {added} sealed slots to {target.name!r}.")
                    return
                imported = import_list(
                    content, options["name"] or path.name, options["environment"], user
                )
            except InvalidAllocationList as refusal:
                raise CommandError(str(refusal)) from refusal
        count = imported.slots.count()
        self.stdout.write(
            f"Imported {count} sealed slots as {imported.environment} list "
            f"{imported.name!r} (SHA-256 {imported.sha256})."
        )


def _list_for(prefix: str) -> AllocationList:
    matches = list(AllocationList.objects.filter(sha256__startswith=prefix.lower())[:2])
    if len(matches) != 1:
        raise CommandError(f"No single imported list has a SHA-256 starting {prefix!r}.")
    return matches[0]


def _digest_beside(path: Path) -> str:
    beside = path.with_name(path.name + ".sha256")
    return beside.read_text().split()[0] if beside.is_file() else ""
