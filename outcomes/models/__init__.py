"""Every model of the app, for Django's registry: each is declared in its concern's package
(instruments, devices, exports)."""

from outcomes.analysis.models import AnalysisRun
from outcomes.devices.models import (
    ActigraphyRecording,
    AppEnrolment,
    DeviceImport,
    DynamoTest,
    ImportKind,
    ImportProfile,
    ImportStatus,
    MedxTest,
    PainEntry,
    ProcessingStatus,
    SleepDiaryNight,
    SleepNight,
)
from outcomes.exports.models import ExportRecord, ExportStatus
from outcomes.instruments.models import InstrumentResponse, Verification

__all__ = [
    "ActigraphyRecording",
    "AnalysisRun",
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
