"""Re-encrypt every protected field (identity, date of birth, allocation arms) with the newest
key of FIELD_ENCRYPTION_KEYS; audited, resumable. Put the new key first, keep the old ones after
it until this has run, then remove them."""

from typing import Any

from django.core.management.base import BaseCommand

from trial.audit.context import audit_context
from trial.audit.recorder import record
from trial.crypto.rotation import encrypted_columns, rotate_model
from trial.models.audit import AuditAction


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(channel="system", reason="field encryption keys rotated"):
            for model, columns in encrypted_columns():
                result = rotate_model(model, columns)
                record(
                    AuditAction.CONFIG_CHANGE,
                    object_type=result.model,
                    reason=(
                        f"field encryption keys rotated: {result.rewritten} value(s) re-encrypted, "
                        f"{result.already_current} already on the newest key"
                    ),
                )
                self.stdout.write(
                    f"{result.model}: {result.rewritten} re-encrypted, "
                    f"{result.already_current} already current"
                )
