"""``manage.py seed_demo [--participants N] [--completers N]``: the demo (refused in production)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongback.demo.seed import DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Create demo users (one per role, printed with their passwords) and demo participants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participants", type=int, default=24)
        parser.add_argument(
            "--completers",
            type=int,
            default=40,
            help="Participants who completed week 16, in all (the analysis report's cohort).",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="One password for every demo user (default: a new random one each, printed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            logins = seed_demo(
                participants=options["participants"],
                completers=options["completers"],
                password=options["password"],
                actigraphy=True,
                imaging=True,
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo users (role / username / password):")
        for login in logins:
            self.stdout.write(f"  {login.role.label!s:<28} {login.username:<14} {login.password}")
