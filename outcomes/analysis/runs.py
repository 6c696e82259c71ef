"""Run the statistical analysis plan and hand out the analysis dataset: explicit services the
views and the Celery task call. Every run and every download is on the audit trail with the
SHA-256 of what it read or wrote."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from outcomes.analysis import ANALYSIS_VERSION, labelled
from outcomes.analysis.dataset import AnalysisRefused, build
from outcomes.analysis.models import AnalysisRun
from outcomes.analysis.report import ReportMeta, effect_or_none, render_html, render_pdf
from outcomes.analysis.sap import run as run_sap
from outcomes.exports.models import ExportStatus
from randomization.selectors import may_see_arm
from trial.audit.context import AuditContext, context_for_user
from trial.audit.recorder import record
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL
from trial.redaction import public_message


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    content_type: str


def check(user: object, dummy: bool) -> None:
    if not user.has_perms(["trial.view_statistician_home", "trial.export_data"]):  # type: ignore[attr-defined]
        raise AnalysisRefused("The analysis is the statistician's.")
    if not dummy and not may_see_arm(user):
        raise AnalysisRefused(
            "The real allocation is available after database lock and trial unblinding; "
            "use the dummy allocation until then."
        )


def dataset_download(user: object, file_format: str, dummy: bool) -> Download:
    check(user, dummy)
    if file_format not in labelled.WRITERS:
        raise AnalysisRefused(f"Unknown format {file_format!r}.")
    chosen = labelled.WRITERS[file_format]
    writer, content_type, suffix = chosen.write, chosen.content_type, chosen.suffix
    data = build(user, dummy)
    content = writer(data)
    allocation = "dummy" if dummy else "real"
    name = f"strongback-analysis-{allocation}.{suffix}"
    record(
        AuditAction.EXPORT,
        object_type="outcomes.AnalysisDataset",
        object_id=allocation,
        reason=f"analysis dataset {file_format} ({allocation} allocation) rows="
        f"{len(data.frame)} sha256={hashlib.sha256(content).hexdigest()}",
    )
    return Download(content, name, content_type)


def start(user: object, dummy: bool) -> AnalysisRun:
    check(user, dummy)
    return AnalysisRun.objects.create(
        user=user, dummy=dummy, status=ExportStatus.QUEUED, code_version=ANALYSIS_VERSION
    )


def _consort_png(user: object) -> bytes | None:
    """The live CONSORT diagram as this reader may see it (pooled while blinded)."""
    from graphviz import ExecutableNotFound

    from trial.consort_diagram import consort_graph, render
    from trial.models.participant import ExitReason
    from trial.selectors.consort import trial_consort

    graph = consort_graph(
        trial_consort(user),
        {a.code: a.label for a in PROTOCOL.arms},
        {c.code: c.label for c in PROTOCOL.criteria},
        dict(ExitReason.choices),
    )
    try:
        return render(graph, "png")
    except ExecutableNotFound:
        return None


def _step(run: AnalysisRun, step: str) -> None:
    run.step, run.status = step, ExportStatus.RUNNING
    run.save(update_fields=["step", "status"])


def execute(run: AnalysisRun) -> AnalysisRun:
    """Build the dataset as the run's user may see it, run the SAP, write the report files."""
    context = AuditContext(**context_for_user(run.user, channel="task"))
    try:
        check(run.user, run.dummy)
        _step(run, "building the analysis dataset")
        data = build(run.user, run.dummy)
        if data.frame.empty:
            raise AnalysisRefused("No participant has been randomised: nothing to analyse.")
        run.data_sha256 = hashlib.sha256(labelled.csv_bytes(data)).hexdigest()
        run.participants = len(data.frame)
        _step(
            run,
            f"running the SAP ({PROTOCOL.analysis.imputations} imputations, "
            f"{PROTOCOL.analysis.bootstrap_resamples} bootstrap resamples)",
        )
        result = run_sap(data.frame, PROTOCOL.analysis, real_arms=not run.dummy)
        _step(run, "writing the report")
        meta = ReportMeta(
            title=f"STRONG-BACK ({PROTOCOL.registration}) statistical analysis",
            dummy=run.dummy,
            generated_at=f"{timezone.now():%Y-%m-%dT%H:%M:%SZ}",
            data_sha256=run.data_sha256,
            code_version=run.code_version,
            analyst=run.user.get_username(),
            arm_labels=("dummy arm A", "dummy arm B")
            if run.dummy
            else (PROTOCOL.arms[0].label, PROTOCOL.arms[1].label),
        )
        meta = replace(meta, consort_png=_consort_png(run.user))
        folder = Path(settings.MEDIA_ROOT) / "analysis"
        folder.mkdir(parents=True, exist_ok=True)
        html = folder / f"run-{run.pk}.html"
        pdf = folder / f"run-{run.pk}.pdf"
        html.write_text(render_html(result, meta), encoding="utf-8")
        pdf.write_bytes(render_pdf(result, meta))
        run.html_file = str(html.relative_to(settings.MEDIA_ROOT))
        run.pdf_file = str(pdf.relative_to(settings.MEDIA_ROOT))
        run.summary = {
            "counts": result.counts,
            "notes": data.notes,
            "primary": [
                {
                    "method": r.method,
                    "population": r.population,
                    "effect": effect_or_none(r.effect),
                    "problem": r.problem,
                }
                for r in result.primary
            ],
        }
        run.status, run.step = ExportStatus.DONE, ""
    except AnalysisRefused as refusal:
        run.status, run.error = ExportStatus.FAILED, str(refusal)
    except Exception as error:
        run.status, run.error = ExportStatus.FAILED, public_message(error)[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save()
        record(
            AuditAction.EXPORT,
            object_type="outcomes.AnalysisRun",
            object_id=run.pk,
            reason=f"SAP run ({'dummy' if run.dummy else 'real'} allocation) {run.status} "
            f"data_sha256={run.data_sha256} code={run.code_version}",
            context=context,
        )
    return run
