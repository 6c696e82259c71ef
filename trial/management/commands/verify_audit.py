"""Verify the audit trail's hash chain and its external anchor; exit non-zero on any problem."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trial.audit.anchor import AnchorTampered, anchor_path, anchor_problem, latest_anchor
from trial.audit.chain import CHAINED_COLUMNS, verify_chain
from trial.audit.sequencer import seal_pending, sealed_head
from trial.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Recompute every audit row's hash, then check the chain's head against the signed anchor "
        "written outside the database (a cut tail or a recomputed chain shows there)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_pending()
        if sealed:
            self.stdout.write(f"{sealed} rows committed since the last seal were sealed first.")
        rows = (
            AuditEntry.objects.filter(seq__isnull=False)
            .order_by("seq")
            .values("id", *CHAINED_COLUMNS)
            .iterator(chunk_size=5000)
        )
        report = verify_chain(rows)
        if report.broken is not None:
            raise CommandError(
                f"Audit trail broken at seq {report.broken.seq} (row id {report.broken.row_id}): "
                f"{report.broken.reason}. {report.rows_checked - 1} rows before it verified."
            )
        try:
            anchor = latest_anchor()
        except AnchorTampered as error:
            raise CommandError(f"Audit anchor file {anchor_path()}: {error}.") from error
        if anchor is None:
            self.stdout.write(
                self.style.WARNING(f"No external anchor yet ({anchor_path()} is missing).")
            )
        else:
            problem = anchor_problem(anchor, (sealed_head() or (0, ""))[0])
            if problem:
                raise CommandError(f"Audit trail does not match its external anchor: {problem}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {report.rows_checked} rows verified"
                + (
                    f"; matches the anchor of seq {anchor.seq} ({anchor.written_at})."
                    if anchor
                    else "."
                )
            )
        )
