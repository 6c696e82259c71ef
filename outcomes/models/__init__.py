"""Outcome data: questionnaires, and what devices and apps measured (with the file it came from)."""

from outcomes.models.app import AppEnrolment, PainEntry
from outcomes.models.devices import (
    ActigraphyRecording,
    DeviceImport,
    ImportKind,
    ImportProfile,
    ImportStatus,
    ProcessingStatus,
    SleepNight,
)
from outcomes.models.diary import SleepDiaryNight
from outcomes.models.exports import ExportRecord, ExportStatus
from outcomes.models.responses import InstrumentResponse, Verification
from outcomes.models.strength import DynamoTest, MedxTest

__all__ = [
    "ActigraphyRecording",
    "AppEnrolment",
    "DeviceImport",
    "DynamoTest",
    "ExportRecord",
    "ExportStatus",
    "ImportKind",
    "ImportProfile",
    "ImportStatus",
    "InstrumentResponse",
    "MedxTest",
    "PainEntry",
    "ProcessingStatus",
    "SleepDiaryNight",
    "SleepNight",
    "Verification",
]
