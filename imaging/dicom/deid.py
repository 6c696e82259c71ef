"""Pseudonymisation at ingest: DICOM PS3.15 Basic Application Level Confidentiality Profile
with the Clean Descriptors option, patient identity replaced by the trial's study ID.

* Identifying attributes are removed (X) or emptied (Z); Type-2 attributes stay present and empty,
  because DICOM objects derived later (highdicom SEG) must copy them.
* Every UID is mapped to a new UID derived from a per-trial secret and the original
  (``generate_uid(entropy_srcs=...)``), except UIDs the standard registers (SOP classes, transfer
  syntaxes), which identify no one. Study, series and instance UIDs are mapped always, and a value
  that merely starts with the DICOM root is not trusted (``1.2.840.10008./../x`` was once kept and
  used as a folder name). The same source UID always gives the same pseudonymous UID, so series,
  frames of reference and references stay consistent across instances and re-ingests, and the
  mapping cannot be inverted without the secret. Every output UID is valid (digits and dots).
* Private tags, overlays and curves are removed; any other person name is emptied.
* Series description and protocol name are kept (Clean Descriptors): series selection uses them.
Only the returned copy is processed; the original bytes are never stored by the EDC.
"""

from __future__ import annotations

import copy

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

from imaging.dicom.uids import is_registered, is_valid_uid

# Identify this study and its objects: always mapped, even when the value is a registered UID.
ALWAYS_MAPPED = frozenset(
    {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "MediaStorageSOPInstanceUID",
     "FrameOfReferenceUID", "ReferencedSOPInstanceUID"}
)  # fmt: skip

EMPTIED = (  # Z: Type 2, kept present and empty
    "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "AccessionNumber",
    "ReferringPhysicianName", "StudyID",
)  # fmt: skip
REMOVED = (  # X
    "PatientBirthTime", "OtherPatientIDs", "OtherPatientIDsSequence", "OtherPatientNames",
    "PatientBirthName", "PatientMotherBirthName", "PatientAddress", "PatientTelephoneNumbers",
    "PatientAge", "PatientSize", "PatientWeight", "Occupation", "MilitaryRank", "EthnicGroup",
    "PatientReligiousPreference", "PatientComments", "AdditionalPatientHistory",
    "MedicalRecordLocator", "IssuerOfPatientID", "CountryOfResidence", "RegionOfResidence",
    "ResponsiblePerson", "ResponsibleOrganization", "PregnancyStatus", "LastMenstrualDate",
    "MedicalAlerts", "Allergies", "InstitutionName", "InstitutionAddress",
    "InstitutionalDepartmentName", "StationName", "OperatorsName", "PerformingPhysicianName",
    "NameOfPhysiciansReadingStudy", "PhysiciansOfRecord", "RequestingPhysician",
    "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers", "DeviceSerialNumber",
    "StudyDescription", "AdmittingDiagnosesDescription", "ImageComments",
    "RequestAttributesSequence", "RequestedProcedureDescription", "RequestedProcedureID",
    "PerformedProcedureStepID", "PerformedProcedureStepDescription",
    "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
    "ReferencedPatientSequence", "ReferencedStudySequence",
    "ReferencedPerformedProcedureStepSequence",
    "SeriesDate", "SeriesTime", "AcquisitionDate", "AcquisitionTime", "AcquisitionDateTime",
    "ContentDate", "ContentTime", "InstanceCreationDate", "InstanceCreationTime",
    "ScheduledProcedureStepDescription", "ScheduledProcedureStepID", "PatientState",
    "TextComments", "DerivationDescription",
)  # fmt: skip
METHOD = "PS3.15 Basic + Clean Descriptors; study ID; UIDs remapped"
METHOD_CODES = (("113100", "Basic Application Confidentiality Profile"),
                ("113105", "Clean Descriptors Option"))  # fmt: skip


def pseudonymous_uid(uid: str, secret: str, keyword: str = "") -> str:
    """A stable, valid replacement for ``uid``; registered DICOM UIDs (classes, syntaxes) are kept
    unless ``keyword`` names an attribute that identifies this study's objects."""
    if not uid:
        return uid
    if keyword not in ALWAYS_MAPPED and is_valid_uid(uid) and is_registered(uid):
        return uid
    return generate_uid(entropy_srcs=[secret, uid])


def pseudonymise(dataset: Dataset, study_id: str, secret: str) -> Dataset:
    """A pseudonymised deep copy of ``dataset`` (the argument is not modified)."""
    if not secret:
        raise ValueError("a pseudonymisation secret is required")
    ds = copy.deepcopy(dataset)
    ds.remove_private_tags()
    _clean(ds, secret)
    ds.PatientName = f"{study_id}^"  # family-name component only
    ds.PatientID = study_id
    for keyword in EMPTIED:
        setattr(ds, keyword, "")
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    ds.DeidentificationMethodCodeSequence = Sequence(
        [_code(value, meaning) for value, meaning in METHOD_CODES]
    )
    ds.LongitudinalTemporalInformationModified = "REMOVED"
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "MediaStorageSOPInstanceUID" in meta:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = meaning
    return item


def _clean(ds: Dataset, secret: str) -> None:
    """Apply the removals and UID mapping to ``ds`` and every nested sequence item."""
    for keyword in REMOVED:
        if keyword in ds:
            delattr(ds, keyword)
    for tag in [e.tag for e in ds if (e.tag.group & 0xFF00) in (0x5000, 0x6000)]:
        del ds[tag]
    for element in list(ds):
        if element.VR == "SQ":
            for item in element.value:
                _clean(item, secret)
        elif element.VR == "UI" and element.value:
            keyword = element.keyword
            if element.VM > 1:
                element.value = [pseudonymous_uid(str(v), secret, keyword) for v in element.value]
            else:
                element.value = pseudonymous_uid(str(element.value), secret, keyword)
        elif element.VR == "PN" and element.keyword != "PatientName":
            element.value = ""
