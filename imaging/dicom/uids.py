"""DICOM unique identifiers: what a valid one looks like (PS3.5 §9.1) and which are DICOM-defined.

A UID from a file or a PACS is untrusted input. It may reach a URL (DICOMweb), a database column or
(before this module existed) a file name, so every use goes through ``is_valid_uid`` or through
pseudonymisation, whose output is always valid.
"""

from __future__ import annotations

import re

from pydicom._uid_dict import UID_dictionary

# Digits and dots, components without leading zeros, nothing empty, at most 64 characters.
_UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")
MAX_LENGTH = 64


def is_valid_uid(uid: object) -> bool:
    text = str(uid) if uid is not None else ""
    return 0 < len(text) <= MAX_LENGTH and _UID.fullmatch(text) is not None


def is_registered(uid: str) -> bool:
    """A UID the DICOM standard itself defines (SOP classes, transfer syntaxes, coding schemes,
    well-known frames of reference): safe to keep, since it identifies no one."""
    return uid in UID_dictionary


def require_uid(uid: object, what: str) -> str:
    """``uid`` when valid, else an error naming ``what`` (never the value: it may be hostile)."""
    if not is_valid_uid(uid):
        raise ValueError(
            f"{what} is not a valid DICOM UID (digits and dots, at most 64 characters)"
        )
    return str(uid)
