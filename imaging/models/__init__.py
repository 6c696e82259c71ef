"""Imaging records: scheduled scans, studies with their series decisions, runs and metrics."""

from imaging.models.registry import ModelFormat, SegmentationModel
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
    "ModelFormat",
    "MuscleMetric",
    "PacsCursor",
    "ReviewStatus",
    "SegmentationModel",
    "SegmentationRun",
    "StudyStatus",
]
