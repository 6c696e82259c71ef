"""Give the application's database role what it needs and no more (PostgreSQL).

Run by the owner role after ``migrate`` (compose's ``migrate`` service does). The application then
connects as this role: it reads and writes trial data, but on the audit table it may only SELECT,
INSERT and fill the three chain columns (``seq``, ``prev_hash``, ``hash``: the sequencer's seal,
which the trigger allows once per row), so no row's content can be changed, deleted or truncated
from the application, whatever its code does. Idempotent.
"""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

AUDIT_TABLE = "trial_auditentry"


class Command(BaseCommand):
    help = "Create (if needed) and grant the application's PostgreSQL role; audit: append and seal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role")
        parser.add_argument(
            "--password-env",
            default="APP_DB_PASSWORD",
            help="environment variable holding the role's password (created with LOGIN if set)",
        )

    def handle(self, *args: Any, role: str, password_env: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL deployments.")
        name = sql.Identifier(role)
        password = os.environ.get(password_env, "")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                login = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if password \
                    else sql.SQL("NOLOGIN")  # fmt: skip
                cursor.execute(sql.SQL("CREATE ROLE {} {}").format(name, login))
            elif password:
                cursor.execute(
                    sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(name, sql.Literal(password))
                )
            database = sql.Identifier(connection.settings_dict["NAME"])
            statements = [
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name),
                sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
                sql.SQL(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
                ).format(name),
                sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
                sql.SQL(
                    "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}"
                ).format(sql.Identifier(AUDIT_TABLE), name),
                sql.SQL("GRANT UPDATE (seq, prev_hash, hash) ON {} TO {}").format(
                    sql.Identifier(AUDIT_TABLE), name
                ),
            ]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            self.style.SUCCESS(
                f"{role}: trial data read/write; {AUDIT_TABLE} SELECT, INSERT and the seal only."
            )
        )
