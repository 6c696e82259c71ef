"""Verify the audit trail's hash chain; exit non-zero at the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trial.audit.chain import CHAINED_COLUMNS, verify_chain
from trial.models import AuditEntry


class Command(BaseCommand):
    help = "Recompute every audit row's hash and report the first row that does not verify."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = (
            AuditEntry.objects.order_by("seq")
            .values("id", *CHAINED_COLUMNS)
            .iterator(chunk_size=5000)
        )
        report = verify_chain(rows)
        if report.broken is not None:
            raise CommandError(
                f"Audit trail broken at seq {report.broken.seq} (row id {report.broken.row_id}): "
                f"{report.broken.reason}. {report.rows_checked - 1} rows before it verified."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit trail intact: {report.rows_checked} rows verified.")
        )
