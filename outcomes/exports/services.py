"""Run an export: check what the reader may have, write the CSV as a stream of bytes (hashing as
it goes), and record who exported what, with the row count and the file's SHA-256, at the end.

The same generator serves a streamed download and the background task that writes a file for
big exports; neither holds more than one batch of participants in memory.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import asdict

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from outcomes.exports import layout, tables
from outcomes.exports.catalogue import catalogue
from outcomes.exports.records import participant_records
from outcomes.exports.variables import OUTCOME_VISITS, ExportOptions
from outcomes.models import ExportRecord, ExportStatus
from randomization.selectors import may_see_arm
from trial.audit.context import AuditContext, context_for_user, current_context
from trial.audit.recorder import record
from trial.csv_safety import SafeWriter
from trial.models import Participant
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL
from trial.redaction import public_message
from trial.selectors.journeys import hidden_forms_for

DATASETS = {
    "long": _("Visit data, long (one row per participant, visit and variable)"),
    "wide": _("Visit data, wide (one row per participant)"),
    "codebook": _("Codebook (every column of the long and wide files)"),
    "imaging": _("Approved imaging metrics with provenance"),
    "sessions": _("Session log (exercises imply the arm)"),
    "adverse_events": _("Adverse events"),
    "signatures": _("Electronic signatures (who, meaning, when, hash of what was signed)"),
}
DATASET_PERMISSION = {"sessions": "trial.view_session_log",
                      "adverse_events": "trial.view_adverse_events"}  # fmt: skip
EVENT_TABLES = {"sessions": tables.session_rows, "adverse_events": tables.adverse_event_rows,
                "imaging": tables.imaging_rows,
                "signatures": tables.signature_rows}  # fmt: skip
ROWS_PER_CHUNK = 500


class ExportRefused(Exception):
    """The reader may not have this export with these options; nothing was exported."""


def check(user: object, dataset: str, options: ExportOptions) -> None:
    if dataset not in DATASETS:
        raise ExportRefused(f"Unknown dataset {dataset!r}.")
    if not user.has_perm("trial.export_data"):  # type: ignore[attr-defined]
        raise ExportRefused("You may not export data.")
    needed = DATASET_PERMISSION.get(dataset)
    if needed and not user.has_perm(needed):  # type: ignore[attr-defined]
        raise ExportRefused(f"You may not export the {dataset.replace('_', ' ')}.")
    if options.include_arm and not may_see_arm(user):
        raise ExportRefused("You are blinded to the arm: the export cannot include it.")
    if options.identified and options.deidentified:
        raise ExportRefused("An export is either identified or de-identified, not both.")
    if options.identified and not user.has_perm("trial.export_identified_data"):  # type: ignore[attr-defined]
        raise ExportRefused("You may not export identified data.")


def variables_for(user: object, options: ExportOptions) -> list:
    visits = [(v.code, v.forms) for v in PROTOCOL.visits if v.code in OUTCOME_VISITS]
    permissions = {p for p in ("trial.view_lsiq",) if user.has_perm(p)}  # type: ignore[attr-defined]
    return catalogue(visits, options, permissions)


def rows(user: object, dataset: str, options: ExportOptions,
         progress: Callable[[int], None] | None = None) -> Iterator[list[str]]:  # fmt: skip
    """The header, then the data rows, of a dataset this reader may have (``check`` first)."""
    if dataset in EVENT_TABLES:
        yield from EVENT_TABLES[dataset](options)
        return
    variables = variables_for(user, options)
    if dataset == "codebook":
        yield layout.CODEBOOK_HEADER
        yield from layout.codebook_rows(variables, options)
        return
    records = _counted(participant_records(user, options, hidden_forms_for(user)), progress)
    if dataset == "long":
        yield layout.long_header(options)
        yield from layout.long_rows(records, variables, options)
    else:
        yield layout.wide_header(variables, options)
        yield from layout.wide_rows(records, variables, options)


def _counted(records: Iterator, progress: Callable[[int], None] | None) -> Iterator:
    for done, item in enumerate(records, start=1):
        yield item
        if progress is not None and done % 100 == 0:
            progress(done)


def start(user: object, dataset: str, options: ExportOptions, queued: bool = False) -> ExportRecord:
    check(user, dataset, options)
    return ExportRecord.objects.create(
        user=user, dataset=dataset, options=asdict(options),
        status=ExportStatus.QUEUED if queued else ExportStatus.RUNNING,
        participants_total=Participant.objects.count(),
    )  # fmt: skip


def csv_bytes(export: ExportRecord, context: AuditContext | None = None) -> Iterator[bytes]:
    """The export's CSV in chunks; the audit event and the record are written after the last.
    The reader's audit context is taken now: a streamed response is read after the view returns."""
    return _chunks(export, context or current_context())


def _chunks(export: ExportRecord, context: AuditContext) -> Iterator[bytes]:
    options = ExportOptions(**export.options)
    digest, count, buffer = hashlib.sha256(), -1, io.StringIO()
    writer = SafeWriter(buffer, lineterminator="\n")

    def progress(done: int) -> None:
        export.participants_done = done
        export.save(update_fields=["participants_done"])

    try:
        # Exports read the same whoever asks: labels (codebook, visit and form names) in English,
        # so a file's SHA-256 does not depend on the language of the person exporting.
        with translation.override("en"):
            for row in rows(export.user, export.dataset, options, progress):
                writer.writerow(row)
                count += 1
                if count % ROWS_PER_CHUNK == 0:
                    chunk = buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
                    digest.update(chunk)
                    yield chunk
        chunk = buffer.getvalue().encode()
        digest.update(chunk)
        yield chunk
    except Exception as error:
        export.status, export.error = ExportStatus.FAILED, public_message(error)[:2000]
        export.finished_at = timezone.now()
        export.save()
        raise
    export.rows, export.sha256 = max(count, 0), digest.hexdigest()
    export.status, export.finished_at = ExportStatus.DONE, timezone.now()
    export.participants_done = export.participants_total
    export.save()
    record(
        AuditAction.EXPORT,
        object_type="outcomes.ExportRecord",
        object_id=export.pk,
        reason=f"export {export.dataset} {export.options} rows={export.rows} "
        f"sha256={export.sha256}",
        context=context,
    )


def write_file(export: ExportRecord) -> None:
    """Background exports: the same bytes written under MEDIA_ROOT/exports/."""
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"export-{export.pk}-{export.dataset}.csv"
    export.status = ExportStatus.RUNNING
    export.file = str(path.relative_to(settings.MEDIA_ROOT))
    export.save()
    context = AuditContext(**context_for_user(export.user, channel="task"))
    with path.open("wb") as handle:
        for chunk in csv_bytes(export, context):
            handle.write(chunk)
