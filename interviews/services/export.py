"""The de-identified transcripts as one zip: a text file per interview and an index CSV."""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils import timezone

from interviews.models import Transcript
from trial.audit.recorder import record
from trial.csv_safety import safe_cell
from trial.models.audit import AuditAction

INDEX_COLUMNS = (
    "study_id",
    "timepoint",
    "file",
    "guide_version",
    "pilot",
    "mode",
    "started_on",
    "duration_minutes",
    "word_count",
    "transcript_version",
    "approved_on",
)


def approved_transcripts() -> list[Transcript]:
    """The latest approved version of each interview's transcript."""
    latest: dict[int, Transcript] = {}
    rows = (
        Transcript.objects.filter(approved_at__isnull=False)
        .select_related("interview__invitation__participant", "interview__guide")
        .order_by("interview_id", "version")
    )
    for transcript in rows:
        latest[transcript.interview_id] = transcript
    return sorted(
        latest.values(),
        key=lambda t: (
            t.interview.invitation.participant.study_id,
            t.interview.invitation.timepoint,
        ),
    )


def transcripts_zip() -> bytes:
    """Only approved, de-identified text leaves the system; the download is audited."""
    buffer, index = io.BytesIO(), io.StringIO()
    writer = csv.writer(index)
    writer.writerow(INDEX_COLUMNS)
    transcripts = approved_transcripts()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for transcript in transcripts:
            interview = transcript.interview
            study_id = interview.invitation.participant.study_id
            name = f"{study_id}_{interview.invitation.timepoint}.txt"
            archive.writestr(name, transcript.deidentified_text + "\n")
            writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        study_id,
                        interview.invitation.timepoint,
                        name,
                        interview.guide.version,
                        int(interview.pilot),
                        interview.mode,
                        timezone.localtime(interview.started_at).date().isoformat(),
                        interview.duration_minutes,
                        transcript.word_count,
                        transcript.version,
                        transcript.approved_at.date().isoformat(),
                    )
                ]
            )
        archive.writestr("index.csv", index.getvalue())
    record(
        AuditAction.EXPORT,
        object_type=Transcript._meta.label,
        reason=f"de-identified transcripts: {len(transcripts)} interview(s)",
    )
    return buffer.getvalue()
