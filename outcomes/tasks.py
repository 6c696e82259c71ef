"""Celery entry points of the outcomes app: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from trial.audit.context import audit_context


@shared_task(name="outcomes.tasks.score_actigraphy")
def score_actigraphy(recording_id: int) -> str:
    """Score one actigraphy recording; returns its final status."""
    from outcomes.devices.actigraphy import score_recording

    with audit_context(channel="task"):
        return score_recording(recording_id).status


@shared_task(name="outcomes.tasks.run_export", acks_late=True)
def run_export(export_id: int) -> str:
    """Write a big export to a file (the page polls its progress); returns the file's SHA-256."""
    from outcomes.exports.services import write_file
    from outcomes.models import ExportRecord

    export = ExportRecord.objects.select_related("user").get(pk=export_id)
    write_file(export)
    return export.sha256


@shared_task(name="outcomes.tasks.requeue_stalled_recordings")
def requeue_stalled_recordings() -> list[int]:
    """Beat: send again the actigraphy recordings whose scoring was never sent or went silent."""
    from outcomes.devices.actigraphy import requeue_stalled_recordings as requeue

    with audit_context(channel="task"):
        return requeue()


@shared_task(name="outcomes.tasks.run_analysis", acks_late=True)
def run_analysis(run_id: int) -> str:
    """Run the SAP for one recorded run (the page polls its step); returns its status."""
    from outcomes.analysis.models import AnalysisRun
    from outcomes.analysis.runs import execute

    with audit_context(channel="task"):
        run = AnalysisRun.objects.select_related("user").get(pk=run_id)
        return execute(run).status
