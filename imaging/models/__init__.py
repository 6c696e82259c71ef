"""Imaging records: scheduled scans, studies with their series decisions, runs and metrics."""

from imaging.models.runs import MuscleMetric, ReviewStatus, SegmentationRun
from imaging.models.studies import (
    DiscLevels,
    ImagingAppointment,
    ImagingSeries,
    ImagingSource,
    ImagingStudy,
    PacsCursor,
    StudyStatus,
)

__all__ = [
    "DiscLevels",
    "ImagingAppointment",
    "ImagingSeries",
    "ImagingSource",
    "ImagingStudy",
    "MuscleMetric",
    "PacsCursor",
    "ReviewStatus",
    "SegmentationRun",
    "StudyStatus",
]
