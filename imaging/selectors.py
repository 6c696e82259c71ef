"""Read-side helpers: approved metrics (the only ones exports see) and studies per visit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from imaging.metrics.levels import LEVELS
from imaging.models import ImagingStudy, MuscleMetric, ReviewStatus


def approved_metrics() -> QuerySet[MuscleMetric]:
    """Metrics of runs a reader approved; pending, rejected or superseded runs never export,
    nor do per-level metrics whose disc levels the reader has not confirmed (provisional)."""
    provisional = Q(level__in=LEVELS) & Q(run__study__levels__confirmed_at__isnull=True)
    return (
        MuscleMetric.objects.filter(run__review=ReviewStatus.APPROVED)
        .exclude(provisional)
        .select_related("run__study__participant")
    )


def approved_visits(participant_ids: list[int]) -> set[tuple[int, str]]:
    return set(
        approved_metrics()
        .filter(run__study__participant_id__in=participant_ids)
        .values_list("run__study__participant_id", "run__study__visit_code")
        .distinct()
    )


def studies_of(participant_id: int, visit_code: str) -> QuerySet[ImagingStudy]:
    return ImagingStudy.objects.filter(participant_id=participant_id, visit_code=visit_code)


@dataclass(frozen=True)
class QcCounts:
    """The imaging reader's queue, for the home page (counts only: no arm, no identity)."""

    awaiting_review: int
    needs_correction: int
    processing: int
    failed: int


def qc_counts() -> QcCounts:
    from imaging.models import SegmentationRun, StudyStatus
    from imaging.models.studies import ACTIVE_STATUSES

    pending = SegmentationRun.objects.filter(
        review=ReviewStatus.PENDING, study__status=StudyStatus.QC_PENDING
    )
    return QcCounts(
        awaiting_review=pending.count(),
        needs_correction=pending.filter(needs_correction=True).count(),
        processing=ImagingStudy.objects.filter(status__in=ACTIVE_STATUSES).count(),
        failed=ImagingStudy.objects.filter(status=StudyStatus.FAILED).count(),
    )
