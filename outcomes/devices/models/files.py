"""Imported files (kept as the source document, identified by SHA-256) and actigraphy results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant


class ImportKind(models.TextChoices):
    CWA = "cwa", _("Axivity .cwa actigraphy file")
    DYNAMO = "dynamo", _("VALD DynaMo CSV export")
    MMP = "mmp", _("Manage My Pain CSV export")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed, not imported")
    REJECTED = "rejected", _("Rejected (nothing saved)")
    # Committed, but the processing service has not taken the work yet (a broker outage): the
    # watchdog sends it again; "imported" only once the work is queued.
    QUEUING = "queuing", _("Committed, waiting for the processing service")
    IMPORTED = "imported", _("Imported")


class ImportProfile(AuditedModel):
    """How one export layout names its columns: ``columns`` maps our field names to the file's
    headers. Layouts of DynaMo and Manage My Pain exports are not public, so they are data."""

    kind = models.CharField(_("source"), max_length=8, choices=ImportKind.choices)
    name = models.CharField(_("name"), max_length=64)
    columns = models.JSONField(_("column mapping"), default=dict)
    datetime_format = models.CharField(_("date-time format"), max_length=32)
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    is_default = models.BooleanField(_("default for this source"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="one_profile_name_per_source"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="one_default_profile"
            ),
        ]
        verbose_name = _("import profile")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class DeviceImport(AuditedModel):
    """One uploaded file. Importing the same bytes twice is refused by the hash."""

    kind = models.CharField(_("kind"), max_length=8, choices=ImportKind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    file = models.FileField(_("file"), upload_to="device_files/%Y/%m/")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="device_imports", null=True
    )
    visit_code = models.CharField(_("visit"), max_length=32, blank=True)
    profile = models.ForeignKey(ImportProfile, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    report = models.JSONField(_("report"), default=dict)
    rows = models.PositiveIntegerField(_("rows imported"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    audit_excluded_fields = frozenset({"uploaded_at", "report"})

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=Q(status="imported"),
                name="file_imported_once",
            )
        ]
        verbose_name = _("device or app import")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    def audit_subject(self) -> str:
        return self.participant.study_id if self.participant_id else ""


class ProcessingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ActigraphyRecording(AuditedModel):
    """A week of AX3 data for one visit, and the sleep found in it (with how it was found)."""

    source = models.OneToOneField(DeviceImport, on_delete=models.PROTECT, related_name="recording")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="actigraphy_recordings"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    time_zone = models.CharField(_("participant's time zone"), max_length=64)
    device_type = models.CharField(max_length=8, blank=True)
    device_id = models.PositiveIntegerField(null=True)
    session_id = models.PositiveBigIntegerField(null=True)
    sample_rate_hz = models.FloatField(null=True)
    samples = models.PositiveBigIntegerField(null=True)
    starts_at = models.DateTimeField(_("first sample"), null=True)
    ends_at = models.DateTimeField(_("last sample"), null=True)
    bad_sectors = models.PositiveIntegerField(_("corrupt sectors skipped"), default=0)
    status = models.CharField(
        max_length=10, choices=ProcessingStatus.choices, default=ProcessingStatus.QUEUED
    )
    error = models.TextField(blank=True)
    algorithm = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict)
    file_sha256 = models.CharField(max_length=64)
    summary = models.JSONField(_("seven-night means"), default=dict)
    plot = models.BinaryField(_("per-minute series for the plot"), null=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When the scoring task was last sent or last reported; the watchdog sends again after
    # ACTIGRAPHY_STALL_SECONDS of silence, or at once when it was never sent.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    audit_excluded_fields = frozenset({"plot", "heartbeat_at"})

    class Meta:
        ordering = ["participant", "visit_code", "-id"]
        verbose_name = _("actigraphy recording")

    def __str__(self) -> str:
        return f"actigraphy {self.visit_code} of {self.participant_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id


class SleepNight(AuditedModel):
    """One night (named by its evening) in GGIR's part-4 meaning; times are local wall time."""

    recording = models.ForeignKey(
        ActigraphyRecording, on_delete=models.CASCADE, related_name="nights"
    )
    night = models.DateField(_("night of"))
    guider = models.CharField(max_length=12, blank=True)
    cleaning_code = models.PositiveSmallIntegerField()
    fraction_invalid = models.FloatField()
    sleep_onset = models.DateTimeField(null=True)
    wake = models.DateTimeField(null=True)
    guider_start = models.DateTimeField(null=True)
    guider_end = models.DateTimeField(null=True)
    spt_min = models.FloatField(_("sleep period (min)"), null=True)
    tst_min = models.FloatField(_("total sleep time (min)"), null=True)
    waso_min = models.FloatField(_("wake after sleep onset (min)"), null=True)
    awakenings = models.PositiveSmallIntegerField(null=True)
    tib_min = models.FloatField(_("time in bed (min)"), null=True)
    sol_min = models.FloatField(_("sleep onset latency (min)"), null=True)
    efficiency_pct = models.FloatField(_("sleep efficiency (%)"), null=True)

    class Meta:
        ordering = ["recording", "night"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "night"], name="one_summary_per_night")
        ]

    def __str__(self) -> str:
        return f"night of {self.night}"

    def audit_subject(self) -> str:
        return self.recording.participant.study_id
