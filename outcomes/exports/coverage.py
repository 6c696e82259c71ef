"""Where every stored field about a participant goes: the export column that carries it, or the
reason it is left out. A test walks every model that holds participant data and fails on a field
declared in neither, so a new field cannot silently miss the statistician's files.

Targets are ``<dataset>:<column>``: ``wide`` (participant- or visit-level variables of the
long/wide files and the codebook), ``sessions``, ``adverse_events``, ``imaging``, ``signatures``.
"""

from __future__ import annotations

KEY = "database key or link between records (the row is identified by study_id, visit, column)"
WHO = "who entered or decided it: kept in the audit trail, not analysis data"
WHEN = "when it was entered: kept in the audit trail (entry time is not a study day)"
CONDUCT = "trial-conduct workflow (queries, locks, SDV, waivers, requests): its own page and audit"
FILE = "file or processing bookkeeping; the measured values are exported"
RAW = "raw input of an exported derived value (the derivation is in the codebook)"
NIGHTLY = "per-night value: exported as the visit's seven-night mean (actigraphy_*)"
IMAGING = "imaging pipeline state; approved metrics and their provenance are in the imaging file"
SEALED = "allocation list internals: only the arm reaches exports, to readers who may see it"
CONTACT = "PACS link, not participant data"
QUALITATIVE = (
    "qualitative interview data: in the de-identified transcripts zip (a file per interview and "
    "index.csv: study ID, timepoint, guide version, pilot, mode, date, duration, word count), "
    "downloaded by the qualitative researcher and the PI; the invitation and the visit's status "
    "are in the wide file (pre_/post_interview_invited, _status)"
)
AUDIO = "interview audio bookkeeping (encrypted file, key, retention): never leaves the system"
IDENTIFYING = "identifying verbatim text: only its approved de-identified form is exported"


def _same(*names: str, dataset: str = "wide", prefix: str = "") -> dict[str, str]:
    return {name: f"{dataset}:{prefix}{name}" for name in names}


def _reason(reason: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, reason)


EXPORTED: dict[str, dict[str, str]] = {
    "trial.Participant": {
        "study_id": "wide:study_id", "randomized_on": "wide:randomised_on",
        "randomization_stratum": "wide:stratum",
        **_same("consent_date", "consent_version", "consent_language", "mis_stratified"),
        "invited_pre_interview": "wide:pre_interview_invited",
        "invited_post_interview": "wide:post_interview_invited",
    },
    "trial.ParticipantIdentity": _same("first_name", "last_name", "date_of_birth", "email",
                                       "phone", "address"),
    "trial.StudyExit": {"kind": "wide:exit_kind", "exit_on": "wide:exit_on",
                        "reason": "wide:exit_reason", "data_use": "wide:exit_data_use"},
    "trial.Sociodemographics": _same(
        "sex", "gender", "age_years", "education", "employment", "work_status",
        "lbp_duration_months", "lbp_history", "previous_treatments", "medications", "height_cm",
        "weight_kg", "bmi"),
    "trial.MedicalHistory": _same(
        "hypertension", "cardiovascular_disease", "diabetes", "respiratory_disease",
        "osteoarthritis", "inflammatory_arthritis", "osteoporosis", "depression_or_anxiety",
        "cancer_history", "other_conditions", "smoking", prefix="mh_"),
    "trial.VisitRecord": {"outcome": "wide:visit_outcome", "done_on": "wide:visit_date",
                          "out_of_window": "wide:visit_out_of_window",
                          "forms_not_done": "wide:visit_forms_not_done"},
    "trial.TrainingSession": {"number": "sessions:session", "session_date": "sessions:session_day",
                              "template_code": "sessions:template", "notes": "sessions:notes",
                              **_same("attendance", "missed_reason", "duration_minutes",
                                      dataset="sessions")},
    "trial.ExerciseEntry": {"exercise_code": "sessions:exercise",
                            **_same("sets", "reps", "load", "rpe", dataset="sessions")},
    "trial.AdverseEvent": {"onset_on": "adverse_events:onset_day",
                           "resolved_on": "adverse_events:resolved_day",
                           **_same("description", "severity", "serious", "relatedness",
                                   "action_taken", "outcome", dataset="adverse_events")},
    "trial.ElectronicSignature": {"object_type": "signatures:signed",
                                  "object_key": "signatures:key",
                                  "signed_at": "signatures:signed_at_utc",
                                  "voided_at": "signatures:voided_at_utc",
                                  "visit_code": "signatures:visit",
                                  **_same("printed_name", "role", "meaning", "content_sha256",
                                          "void_reason", dataset="signatures")},
    "randomization.BlindingGuess": {"guess": "wide:blinding_guess",
                                    "confidence": "wide:blinding_confidence"},
    "randomization.AllocationSlot": {"arm": "wide:arm"},
    "outcomes.InstrumentResponse": {"completed_on": "wide:odi_completed_on",
                                    "responses": "wide:odi_01", "total": "wide:odi_total",
                                    "subscores": "wide:promis29_physical_function",
                                    "verification": "wide:odi_verification"},
    "outcomes.MedxTest": {"peak_torque_nm": "wide:medx_peak_torque_nm",
                          **_same("tested_on", "strength_index", "gravity_corrected",
                                  "rom_flexion_deg", "rom_extension_deg", "torque_72",
                                  "torque_60", "torque_48", "torque_36", "torque_24",
                                  "torque_12", "torque_0", prefix="medx_")},
    "outcomes.DynamoTest": {"peak_force_n": "wide:dynamo_hip_extension_left_peak_force_n",
                            "torque_nm": "wide:dynamo_hip_extension_left_torque_nm",
                            "torque_per_kg": "wide:dynamo_hip_extension_left_torque_per_kg",
                            "rom_deg": "wide:dynamo_rom_hip_flexion_left_deg",
                            "movement": "wide:dynamo_hip_abduction_right_torque_nm",
                            "side": "wide:dynamo_hip_abduction_right_torque_nm",
                            "category": "wide:dynamo_rom_hip_extension_right_deg"},
    "outcomes.ActigraphyRecording": {"summary": "wide:actigraphy_tst_min"},
    "outcomes.SleepDiaryNight": {"quality": "wide:diary_quality_mean",
                                 "estimated_sol_min": "wide:diary_estimated_sol_min_mean",
                                 "estimated_waso_min": "wide:diary_estimated_waso_min_mean",
                                 "awakenings": "wide:diary_awakenings_mean",
                                 "night": "wide:diary_nights"},
    "outcomes.PainEntry": {"severity": "wide:mmp_week_01_mean_severity",
                           "recorded_at": "wide:mmp_week_01_ratings"},
    "imaging.MuscleMetric": _same("muscle", "side", "level", "csa_mm2", "mean_csa_mm2",
                                  "volume_mm3", "fat_fraction_pct", "n_slices", "fat_method",
                                  "image_sha256", "labels_sha256", dataset="imaging"),
    "imaging.SegmentationRun": {"reviewed_at": "imaging:reviewed_day",
                                **_same("label_source", "model_name", "model_sha256",
                                        "code_version", dataset="imaging")},
}  # fmt: skip

EXCLUDED: dict[str, dict[str, str]] = {
    "trial.Participant": {
        **_reason(KEY, "id", "screening"), **_reason(WHO, "consent_obtained_by"),
        **_reason(WHEN, "enrolled_at"),
        **_reason(CONDUCT, "session_1_planned_on"),
    },
    "trial.ParticipantIdentity": _reason(KEY, "id", "participant"),
    "trial.StudyExit": {**_reason(KEY, "id", "participant"), **_reason(WHO, "recorded_by"),
                        "notes": "free text about the person: identified records only"},
    "trial.Sociodemographics": {**_reason(KEY, "id", "participant"),
                                **_reason(WHO, "entered_by"),
                                "completed_on": "form date: the visit date is exported"},
    "trial.MedicalHistory": {**_reason(KEY, "id", "participant"), **_reason(WHO, "entered_by"),
                             "completed_on": "form date: the visit date is exported"},
    "trial.VisitRecord": {**_reason(KEY, "id", "participant", "visit_code"),
                          **_reason(WHO, "recorded_by"),
                          **_reason("free-text explanation; the out-of-window flag is exported",
                                    "out_of_window_reason", "missed_reason")},
    "trial.TrainingSession": {**_reason(KEY, "id", "participant"), **_reason(WHO, "therapist")},
    "trial.ExerciseEntry": {**_reason(KEY, "id", "session"),
                            "exercise_name": "label of exercise_code (individualised exercises)"},
    "trial.AdverseEvent": {**_reason(KEY, "id", "participant"), **_reason(WHO, "reported_by"),
                           **_reason(WHEN, "reported_at", "pi_reviewed_at")},
    "trial.ElectronicSignature": {**_reason(KEY, "id", "participant"),
                                  **_reason(WHO, "signer")},
    "trial.DataQuery": _reason(CONDUCT, "id", "participant", "visit_code", "form_code",
                               "field_name", "question", "status", "answer", "raised_by",
                               "raised_at", "origin", "assigned_to", "answered_by",
                               "answered_at", "closed_by", "closed_at", "resolution"),
    "trial.RecordLock": _reason(CONDUCT, "id", "participant", "visit_code", "form_code",
                                "reason", "locked_by", "locked_at", "unlocked_by", "unlocked_at",
                                "unlock_reason"),
    "trial.SourceVerification": _reason(CONDUCT, "id", "participant", "visit_code", "form_code",
                                        "content_sha256", "verified_by", "verified_at"),
    "randomization.UnblindingRequest": _reason(CONDUCT, "id", "participant", "requested_by",
                                               "reason", "requested_at", "status", "decided_by",
                                               "decided_at", "decision_note"),
    "randomization.PreconditionWaiver": _reason(CONDUCT, "id", "participant", "form_code",
                                                "reason", "waived_by", "waived_at"),
    "randomization.BlindingGuess": {**_reason(KEY, "id", "participant"),
                                    **_reason(WHO, "assessor"),
                                    "guessed_on": "the week-16 visit date is exported"},
    "randomization.RandomisationRequest": _reason(
        "the randomise service's queue (who asked, when, and the outcome given): the allocation "
        "and its audit trail are exported and kept where they were written",
        "id", "participant", "requested_by", "environment", "randomised_on", "context",
        "requested_at", "done_at", "slot", "refusal"),
    "randomization.AllocationSlot": {**_reason(KEY, "id", "participant", "allocation_list"),
                                     **_reason(SEALED, "stratum", "position", "block_number",
                                               "block_size"),
                                     **_reason(WHO, "assigned_by"),
                                     "assigned_at": "the randomisation date is exported"},
    "outcomes.InstrumentResponse": {
        **_reason(KEY, "id", "participant", "visit_code", "instrument"),
        **_reason(WHO, "entered_by", "second_entered_by"),
        **_reason(WHEN, "updated_at", "second_entered_at"),
        "missing_items": "missing items are the blank item cells",
        "scoring_version": "in the codebook (instrument_version)",
        "second_entry": "verification input: its result is the verification column",
    },
    "outcomes.MedxTest": {**_reason(KEY, "id", "participant", "visit_code"),
                          **_reason(WHO, "entered_by"),
                          **_reason(RAW, "unit_entered", "as_printed", "counterweight",
                                    "gravity_torque_nm"),
                          **_reason("machine set-up for repeat testing, not an outcome",
                                    "seat_height", "footboard", "femur_restraint", "head_rest"),
                          "notes": "free text"},
    "outcomes.DynamoTest": {**_reason(KEY, "id", "participant", "visit_code", "source",
                                      "entry_key"),
                            **_reason(RAW, "lever_arm_m", "body_mass_kg"),
                            "tested_at": "the visit date is exported"},
    "outcomes.DeviceImport": _reason(FILE, "id", "kind", "sha256", "filename", "size", "file",
                                     "participant", "visit_code", "profile", "status", "report",
                                     "rows", "uploaded_by", "uploaded_at", "imported_at"),
    "outcomes.ActigraphyRecording": {
        **_reason(KEY, "id", "participant", "visit_code", "source"),
        **_reason(FILE, "time_zone", "device_type", "device_id", "session_id", "sample_rate_hz",
                  "samples", "starts_at", "ends_at", "bad_sectors", "status", "error",
                  "parameters", "file_sha256", "plot", "processed_at", "heartbeat_at"),
        "algorithm": "in the codebook (instrument_version of actigraphy_*)",
    },
    "outcomes.SleepNight": _reason(NIGHTLY, "id", "recording", "night", "guider",
                                   "cleaning_code", "fraction_invalid", "sleep_onset", "wake",
                                   "guider_start", "guider_end", "spt_min", "tst_min", "waso_min",
                                   "awakenings", "tib_min", "sol_min", "efficiency_pct"),
    "outcomes.SleepDiaryNight": {
        **_reason(KEY, "id", "participant", "visit_code"), **_reason(WHO, "entered_by"),
        **_reason("clock times bound the actigraphy window (guider); the scored sleep is exported",
                  "into_bed", "lights_out", "final_wake", "out_of_bed"),
        "comments": "free text",
    },
    "outcomes.AppEnrolment": {**_reason(KEY, "id", "participant"),
                              "code": "the app's link code: a pseudonym of the person, not data"},
    "outcomes.PainEntry": {**_reason(KEY, "id", "participant", "source", "entry_key"),
                           "details": "other app fields (locations, notes): free text"},
    "imaging.ImagingAppointment": _reason(CONTACT, "id", "participant", "visit_code",
                                          "pacs_patient_id", "accession_number"),
    "imaging.ImagingStudy": _reason(IMAGING, "id", "participant", "visit_code", "source",
                                    "orthanc_id", "pacs_study_uid", "study_uid", "status",
                                    "step_progress", "step_detail", "error", "files", "warnings",
                                    "same_acquisition_stated", "heartbeat_at", "created_by",
                                    "created_at", "updated_at"),
    "imaging.ImagingSeries": _reason(IMAGING, "id", "study", "series_uid", "pacs_series_uid",
                                     "description", "modality", "instances", "summary",
                                     "eligible", "role", "chosen", "reasons", "overridden_by",
                                     "override_reason", "paired_series_uid"),
    "imaging.DiscLevels": _reason(IMAGING, "id", "study", "discs", "source", "entered_by",
                                  "entered_at", "proposed", "confirmed_at", "confirmed_by",
                                  "moved_mm"),
    "imaging.SegmentationRun": {
        **_reason(KEY, "id", "study", "series", "key"),
        **_reason(IMAGING, "label_table", "result", "qc_flags", "confidence",
                  "needs_correction", "seg_series_uid", "seg_stored", "review", "review_reason",
                  "created_at"),
        "fat_method": "per metric: the imaging file's fat_method",
        "reviewed_by": WHO,
    },
    "imaging.MuscleMetric": {**_reason(KEY, "id", "run"),
                             "parameters": "measurement settings, in the run's provenance"},
    "interviews.InterviewInvitation": _reason(QUALITATIVE, "id", "participant", "timepoint",
        "invited_on", "invited_by", "answer", "answered_on", "audio_consent",
        "audio_consent_version", "audio_consent_on", "audio_consent_obtained_by"),
    "interviews.Interview": _reason(QUALITATIVE, "id", "invitation", "guide", "mode",
        "interviewer", "started_at", "duration_minutes", "pilot", "visit", "notes"),
    "interviews.Recording": _reason(AUDIO, "id", "interview", "original_name", "kind",
        "size_bytes", "sha256", "seconds", "stored_name", "wrapped_key", "uploaded_by",
        "uploaded_at", "destroyed_at", "destroyed_by", "destruction_note"),
    "interviews.Transcript": {**_reason(QUALITATIVE, "id", "interview", "version", "origin",
        "language", "source_name", "sha256", "uploaded_by", "uploaded_at", "approved_at",
        "approved_by", "deidentified_text", "word_count"), **_reason(IDENTIFYING, "text")},
    "interviews.Redaction": _reason(IDENTIFYING, "id", "transcript", "start", "end", "text",
        "category", "source", "replacement", "decision", "decided_by"),
}  # fmt: skip
