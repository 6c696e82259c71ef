"""What devices and apps measured, with the file each value came from."""

from outcomes.devices.models.app import AppEnrolment, PainEntry
from outcomes.devices.models.diary import SleepDiaryNight
from outcomes.devices.models.files import (
    ActigraphyRecording,
    DeviceImport,
    ImportKind,
    ImportProfile,
    ImportStatus,
    ProcessingStatus,
    SleepNight,
)
from outcomes.devices.models.strength import DynamoTest, MedxTest

__all__ = [
    "ActigraphyRecording",
    "AppEnrolment",
    "DeviceImport",
    "DynamoTest",
    "ImportKind",
    "ImportProfile",
    "ImportStatus",
    "MedxTest",
    "PainEntry",
    "ProcessingStatus",
    "SleepDiaryNight",
    "SleepNight",
]
