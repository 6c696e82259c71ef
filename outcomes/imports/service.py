"""Previewing and committing CSV imports (DynaMo, Manage My Pain): parse the whole file, report
every failing row, save nothing from a file with an error, skip rows already imported (by entry
key) and refuse a file already imported (by SHA-256). Everything saved is audited."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from outcomes.devices.models.strength import DynamoCategory
from outcomes.imports import dynamo, mmp
from outcomes.imports.profiles import DEFAULT_PROFILES
from outcomes.imports.table import ImportFileError, RowError, decode, read_table
from outcomes.models import (
    AppEnrolment,
    DeviceImport,
    DynamoTest,
    ImportKind,
    ImportProfile,
    ImportStatus,
    PainEntry,
)
from trial.audit.recorder import record
from trial.models import Participant
from trial.models.audit import AuditAction
from trial.protocol import PROTOCOL

OUTCOME_VISITS = PROTOCOL.outcome_visits()
PREVIEW_ROWS = 25


class ImportRefused(Exception):
    """The import cannot go ahead; the message says why and nothing was saved."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(file: File) -> str:
    """The digest of a file read in chunks; the file is left at its start, ready to store."""
    file.seek(0)
    digest = hashlib.file_digest(file, "sha256")  # type: ignore[arg-type]
    file.seek(0)
    return digest.hexdigest()


def refuse_if_imported(kind: str, digest: str) -> None:
    waiting = DeviceImport.objects.filter(kind=kind, sha256=digest, status=ImportStatus.QUEUING)
    if waiting.exists():
        raise ImportRefused(
            "This file is already committed and waiting for the processing service; it is sent "
            'again automatically, or with "Send to processing again" on its import page.'
        )
    done = DeviceImport.objects.filter(kind=kind, sha256=digest, status=ImportStatus.IMPORTED)
    first = done.select_related("uploaded_by").first()
    if first is not None:
        raise ImportRefused(
            f"This file was already imported on {first.imported_at:%Y-%m-%d %H:%M} "
            f"by {first.uploaded_by} ({first.rows} rows); nothing was imported again."
        )


def default_profile(kind: str) -> ImportProfile:
    """The source's default layout (recreated from ``DEFAULT_PROFILES`` if it was removed)."""
    profile = ImportProfile.objects.filter(kind=kind, is_default=True).first()
    if profile is not None:
        return profile
    values = next(p for p in DEFAULT_PROFILES if p["kind"] == kind)
    return ImportProfile.objects.create(**values, is_default=True)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _dynamo_objects(text: str, profile: ImportProfile):
    table = read_table(text, profile.columns, dynamo.REQUIRED, profile.delimiter)
    rows, errors = dynamo.parse(table, profile.datetime_format, OUTCOME_VISITS)
    people = Participant.objects.in_bulk({r.study_id for _, r in rows}, field_name="study_id")
    objects = []
    for line, row in rows:
        participant = people.get(row.study_id)
        if participant is None:
            errors.append(RowError(line, f"Study ID {row.study_id!r} is not enrolled."))
            continue
        objects.append(
            DynamoTest(
                participant=participant,
                visit_code=row.visit,
                tested_at=_local(row.tested_at),
                category=DynamoCategory(row.category),
                movement=row.movement,
                side=row.side,
                peak_force_n=row.peak_force_n,
                lever_arm_m=row.lever_arm_m,
                torque_nm=row.torque_nm,
                body_mass_kg=row.body_mass_kg,
                torque_per_kg=row.torque_per_kg,
                rom_deg=row.rom_deg,
                entry_key=row.key(),
            )
        )
    return objects, errors, DynamoTest


def _mmp_objects(text: str, profile: ImportProfile):
    table = read_table(text, profile.columns, mmp.REQUIRED, profile.delimiter)
    rows, errors = mmp.parse(table, profile.datetime_format)
    links = {
        link.code: link.participant
        for link in AppEnrolment.objects.filter(code__in={r.code for _, r in rows}).select_related(
            "participant"
        )
    }
    objects = []
    for line, row in rows:
        if row.code not in links:
            errors.append(RowError(line, f"Enrolment code {row.code!r} belongs to no one."))
            continue
        objects.append(
            PainEntry(
                participant=links[row.code],
                recorded_at=_local(row.recorded_at),
                severity=row.severity,
                details=row.details,
                entry_key=row.key(),
            )
        )
    return objects, errors, PainEntry


PARSERS = {ImportKind.DYNAMO: _dynamo_objects, ImportKind.MMP: _mmp_objects}


def analyse(kind: str, data: bytes, profile: ImportProfile):
    """(objects ready to save, row errors, objects already imported)."""
    try:
        text = decode(data)
    except ImportFileError as exc:
        return [], [RowError(1, str(exc))], []
    objects, errors, model = PARSERS[kind](text, profile)
    existing = set(
        model.objects.filter(entry_key__in=[o.entry_key for o in objects]).values_list(
            "entry_key", flat=True
        )
    )
    seen: set[str] = set()
    new, duplicates = [], []
    for obj in objects:
        (duplicates if obj.entry_key in existing or obj.entry_key in seen else new).append(obj)
        seen.add(obj.entry_key)
    return new, sorted(errors, key=lambda e: e.line), duplicates


def _report(new: list, errors: list[RowError], duplicates: list) -> dict:
    def describe(obj) -> dict[str, str]:
        if isinstance(obj, PainEntry):
            return {
                "participant": obj.participant.study_id,
                "recorded_at": f"{timezone.localtime(obj.recorded_at):%Y-%m-%d %H:%M}",
                "severity": str(obj.severity),
            }
        return {
            "participant": obj.participant.study_id,
            "visit": obj.visit_code,
            "movement": f"{obj.movement} ({obj.side})",
            "force_n": "" if obj.peak_force_n is None else f"{obj.peak_force_n:g}",
            "torque_nm": "" if obj.torque_nm is None else f"{obj.torque_nm:g}",
            "rom_deg": "" if obj.rom_deg is None else f"{obj.rom_deg:g}",
        }

    return {
        "errors": [[e.line, e.message] for e in errors],
        "new": len(new),
        "duplicates": len(duplicates),
        "preview": [describe(o) for o in new[:PREVIEW_ROWS]],
    }


@transaction.atomic
def preview_import(
    kind: str, filename: str, data: bytes, user: object, profile: ImportProfile | None = None
) -> DeviceImport:
    """Keep the file and what importing it would do; a file with any error is ``rejected``."""
    try:  # a file that is not text at all is refused before anything is kept
        decode(data)
    except ImportFileError as problem:
        raise ImportRefused(str(problem)) from None
    digest = sha256_of(data)
    refuse_if_imported(kind, digest)
    profile = profile or default_profile(kind)
    new, errors, duplicates = analyse(kind, data, profile)
    return DeviceImport.objects.create(
        kind=kind,
        sha256=digest,
        filename=filename[:255],
        size=len(data),
        file=ContentFile(data, name=filename),
        profile=profile,
        status=ImportStatus.REJECTED if errors else ImportStatus.PREVIEWED,
        report=_report(new, errors, duplicates),
        uploaded_by=user,
    )


@transaction.atomic
def commit_import(device_import: DeviceImport, user: object) -> DeviceImport:
    """Save the previewed rows, all or nothing."""
    locked = DeviceImport.objects.select_for_update().get(pk=device_import.pk)
    if locked.status != ImportStatus.PREVIEWED:
        raise ImportRefused(f"This upload is {locked.get_status_display().lower()}.")
    refuse_if_imported(locked.kind, locked.sha256)
    with locked.file.open("rb") as handle:
        data = handle.read()
    if sha256_of(data) != locked.sha256:
        raise ImportRefused("The stored file no longer matches its hash; upload it again.")
    new, errors, duplicates = analyse(locked.kind, data, locked.profile)
    if errors:
        raise ImportRefused(f"{len(errors)} row(s) fail now; nothing was imported.")
    for obj in new:
        obj.source = locked
    if new:
        type(new[0]).objects.bulk_create(new)
    locked.status = ImportStatus.IMPORTED
    locked.rows = len(new)
    locked.imported_at = timezone.now()
    locked.report = {**locked.report, "duplicates_skipped": len(duplicates)}
    locked.save(reason=f"import committed: {len(new)} new, {len(duplicates)} already there")
    record(AuditAction.IMPORT, object_type=locked._meta.label, object_id=locked.pk,
           reason=f"{locked.kind} import: {len(new)} row(s)")  # fmt: skip
    return locked
