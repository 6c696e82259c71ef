"""Core domain models, one concept per module."""

from .access import TrialAccess
from .adverse_events import AdverseEvent
from .audit import AuditEntry
from .baseline import MedicalHistory, Sociodemographics
from .eligibility import EligibilityAssessment
from .heartbeat import WorkerHeartbeat
from .lock import DatabaseLock
from .mri_safety import MriSafety
from .participant import Participant, ParticipantIdentity, StudyExit, StudyIdCounter
from .queries import DataQuery
from .record_lock import RecordLock
from .screening import ScreeningEntry
from .sdv import SourceVerification
from .sessions import ExerciseEntry, TrainingSession
from .signature import ElectronicSignature, SignatureMeaning
from .text_review import TextReview, TextReviewStatus
from .user import User
from .visits import VisitRecord

__all__ = [
    "AdverseEvent",
    "AuditEntry",
    "DataQuery",
    "DatabaseLock",
    "ElectronicSignature",
    "EligibilityAssessment",
    "ExerciseEntry",
    "MedicalHistory",
    "MriSafety",
    "Participant",
    "ParticipantIdentity",
    "RecordLock",
    "ScreeningEntry",
    "SignatureMeaning",
    "Sociodemographics",
    "SourceVerification",
    "StudyExit",
    "StudyIdCounter",
    "TextReview",
    "TextReviewStatus",
    "TrainingSession",
    "TrialAccess",
    "User",
    "VisitRecord",
    "WorkerHeartbeat",
]
