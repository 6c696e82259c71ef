"""The event-level exports (session log, adverse events, imaging metrics with provenance): one
row per event, read in batches of participants through the same options as the visit data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from imaging.selectors import approved_metrics
from outcomes.exports.layout import format_date
from outcomes.exports.variables import ExportOptions
from trial.models import AdverseEvent, Participant
from trial.models.sessions import ExerciseEntry, TrainingSession
from trial.services.text_review import blinded_text, reviews_for

BATCH = 200


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _participants() -> Iterator[list[tuple[int, str, dt.date | None]]]:
    rows = list(Participant.objects.order_by("study_id").values_list("pk", "study_id",
                                                                      "randomized_on"))  # fmt: skip
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


SESSION_HEADER = ["study_id", "session", "session_day", "attendance", "missed_reason",
                  "duration_minutes", "template", "exercise", "sets", "reps", "load",
                  "rpe"]  # fmt: skip


def session_rows(options: ExportOptions) -> Iterator[list[str]]:
    """One row per exercise logged (a session without exercises gives one row)."""
    header = [*SESSION_HEADER, *([] if options.deidentified else ["notes"])]
    yield header
    for batch in _participants():
        ids = {pk: (study_id, anchor) for pk, study_id, anchor in batch}
        exercises: dict[int, list] = {}
        for entry in ExerciseEntry.objects.filter(session__participant_id__in=ids).order_by("pk"):
            exercises.setdefault(entry.session_id, []).append(entry)
        sessions = TrainingSession.objects.filter(participant_id__in=ids)
        for session in sessions.order_by("participant__study_id", "number"):
            study_id, anchor = ids[session.participant_id]
            day = format_date(session.session_date, anchor, options)
            lead = [study_id, str(session.number), day, session.attendance, session.missed_reason,
                    _cell(session.duration_minutes), session.template_code]  # fmt: skip
            tail = [] if options.deidentified else [session.notes]
            for entry in exercises.get(session.pk) or [None]:
                done = ["", "", "", "", ""] if entry is None else [
                    entry.exercise_code, _cell(entry.sets), _cell(entry.reps), _cell(entry.load),
                    _cell(entry.rpe)]  # fmt: skip
                yield [*lead, *done, *tail]


AE_HEADER = ["study_id", "onset_day", "severity", "serious", "relatedness", "action_taken",
             "outcome", "resolved_day"]  # fmt: skip


def adverse_event_rows(options: ExportOptions) -> Iterator[list[str]]:
    yield [*AE_HEADER, *([] if options.deidentified else ["description"])]
    for batch in _participants():
        ids = {pk: (study_id, anchor) for pk, study_id, anchor in batch}
        events = list(
            AdverseEvent.objects.filter(participant_id__in=ids).order_by(
                "participant__study_id", "onset_on", "pk"
            )
        )
        reviews = reviews_for(events)
        for event in events:
            study_id, anchor = ids[event.participant_id]
            row = [study_id, format_date(event.onset_on, anchor, options), event.severity,
                   _cell(event.serious), event.relatedness, event.action_taken, event.outcome,
                   format_date(event.resolved_on, anchor, options)]  # fmt: skip
            text = (
                event.description if options.include_arm
                else blinded_text(event, "description", reviews)
            )  # fmt: skip
            yield [*row, *([] if options.deidentified else [text])]


IMAGING_HEADER = ["study_id", "visit", "muscle", "side", "level", "csa_mm2", "mean_csa_mm2",
                  "volume_mm3", "fat_fraction_pct", "n_slices", "fat_method", "label_source",
                  "model_name", "model_sha256", "code_version", "image_sha256", "labels_sha256",
                  "run", "reviewed_day"]  # fmt: skip


def imaging_rows(options: ExportOptions) -> Iterator[list[str]]:
    """Approved metrics only, each with the provenance that produced it."""
    yield IMAGING_HEADER
    for batch in _participants():
        ids = {pk: (study_id, anchor) for pk, study_id, anchor in batch}
        metrics = approved_metrics().filter(run__study__participant_id__in=ids)
        order = ("run__study__participant__study_id", "run__study__visit_code", "muscle", "side",
                 "level")  # fmt: skip
        for metric in metrics.order_by(*order):
            run = metric.run
            study_id, anchor = ids[run.study.participant_id]
            yield [study_id, run.study.visit_code, metric.muscle, metric.side, metric.level,
                   _cell(metric.csa_mm2), _cell(metric.mean_csa_mm2), _cell(metric.volume_mm3),
                   _cell(metric.fat_fraction_pct), str(metric.n_slices), metric.fat_method,
                   run.label_source, run.model_name, run.model_sha256, run.code_version,
                   metric.image_sha256, metric.labels_sha256, str(run.pk),
                   format_date(run.reviewed_at, anchor, options)]  # fmt: skip


SIGNATURE_HEADER = ["study_id", "visit", "signed", "key", "meaning", "printed_name", "role",
                    "signed_at_utc", "content_sha256", "voided_at_utc", "void_reason"]  # fmt: skip


def signature_rows(options: ExportOptions) -> Iterator[list[str]]:
    """Every electronic signature with its manifestation (21 CFR 11.50): who, what it means,
    when (UTC), and the hash of what was signed. De-identified files leave out the times."""
    from trial.models import ElectronicSignature

    yield SIGNATURE_HEADER
    signatures = ElectronicSignature.objects.select_related("participant").order_by("signed_at")
    for s in signatures:
        when = "" if options.deidentified else f"{s.signed_at:%Y-%m-%dT%H:%M:%SZ}"
        voided = (
            "" if options.deidentified or not s.voided_at else f"{s.voided_at:%Y-%m-%dT%H:%M:%SZ}"
        )
        yield [s.participant.study_id if s.participant_id else "", s.visit_code, s.object_type,
               s.object_key, s.get_meaning_display(), s.printed_name, s.role, when,
               s.content_sha256, voided, s.void_reason]  # fmt: skip
