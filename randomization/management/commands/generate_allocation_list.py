"""``generate_allocation_list --seed S --block-sizes 2,4,6 --per-stratum 60 --out list.csv``.

For the statistician: writes the sealed list and prints (and writes beside it) its SHA-256. Arms
and strata come from the protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from randomization.listfile import sha256, to_csv
from randomization.sequence import ALGORITHM, generate
from trial.protocol import PROTOCOL


def _sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(
            f"--block-sizes must be integers separated by commas, not {text!r}"
        ) from exc


class Command(BaseCommand):
    help = "Generate a stratified permuted-block allocation list (CSV) and its SHA-256."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", required=True)
        parser.add_argument("--block-sizes", required=True, type=_sizes)
        parser.add_argument("--per-stratum", required=True, type=int)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--force", action="store_true", help="Overwrite an existing file.")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.exists() and not options["force"]:
            raise CommandError(f"{out} exists; refusing to overwrite a list (use --force).")
        try:
            rows = generate(
                [s.code for s in PROTOCOL.strata],
                [a.code for a in PROTOCOL.arms],
                options["block_sizes"],
                options["per_stratum"],
                options["seed"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        content = to_csv(rows)
        digest = sha256(content)
        out.write_bytes(content)
        out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n")
        self.stdout.write(f"{len(rows)} slots ({ALGORITHM}) written to {out}")
        self.stdout.write(f"SHA-256 {digest}")
