"""Studies as the EDC sees them: which participant and visit, where from, how far processed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.models import Participant


class ImagingSource(models.TextChoices):
    ORTHANC = "orthanc", _("PACS (Orthanc)")
    UPLOAD = "upload", _("Uploaded DICOM")
    NIFTI = "nifti", _("Uploaded NIfTI (research)")


class StudyStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SELECTING = "selecting", _("Selecting the series")
    SEGMENTING = "segmenting", _("Segmenting")
    MEASURING = "measuring", _("Measuring")
    QC_PENDING = "qc_pending", _("QC pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected by the reader")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (
    StudyStatus.QUEUED,
    StudyStatus.SELECTING,
    StudyStatus.SEGMENTING,
    StudyStatus.MEASURING,
)


class ImagingAppointment(AuditedModel):
    """A scheduled scan: the pseudonymous PatientID and accession the MRI unit will use, so a
    study arriving in the PACS is matched to its participant and visit without names."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="imaging_appointments"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    pacs_patient_id = models.CharField(_("PACS patient ID"), max_length=64)
    accession_number = models.CharField(_("accession number"), max_length=16, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code"], name="one_scan_per_participant_visit"
            )
        ]
        verbose_name = _("imaging appointment")

    def __str__(self) -> str:
        return f"{self.accession_number} ({self.visit_code})"

    def audit_subject(self) -> str:
        return self.participant.study_id


class ImagingStudy(AuditedModel):
    """One imaging study of a participant at a visit, pseudonymised at ingest."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="imaging_studies"
    )
    visit_code = models.CharField(_("visit"), max_length=32)
    source = models.CharField(_("source"), max_length=8, choices=ImagingSource.choices)
    orthanc_id = models.CharField(_("Orthanc study ID"), max_length=64, blank=True)
    pacs_study_uid = models.CharField(_("PACS study UID"), max_length=64, blank=True)
    study_uid = models.CharField(_("pseudonymised study UID"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=StudyStatus.choices, default=StudyStatus.QUEUED
    )
    step_progress = models.PositiveSmallIntegerField(_("progress of the step (%)"), default=0)
    step_detail = models.CharField(_("step detail"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    files = models.PositiveIntegerField(_("files kept"), default=0)
    # What the reader must check before approving (e.g. the same series stored for someone else).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # The uploader stated that the Dixon fat and water images are one acquisition with the image
    # although their headers disagree (kept in each run's provenance).
    same_acquisition_stated = models.BooleanField(default=False)
    # When a worker last reported on this study; the watchdog re-queues a study whose worker went
    # silent (see imaging.services.watchdog).
    heartbeat_at = models.DateTimeField(_("last heard from the worker"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_excluded_fields = frozenset(
        {"step_progress", "step_detail", "updated_at", "heartbeat_at"}
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["orthanc_id"],
                condition=~models.Q(orthanc_id=""),
                name="one_study_per_orthanc_study",
            )
        ]
        verbose_name = _("imaging study")
        verbose_name_plural = _("imaging studies")

    def __str__(self) -> str:
        return f"MRI {self.visit_code} of {self.participant_id} ({self.status})"

    def audit_subject(self) -> str:
        return self.participant.study_id

    @property
    def chosen_series(self) -> ImagingSeries | None:
        return self.series.filter(chosen=True).first()


class ImagingSeries(AuditedModel):
    """One series of a study with the selection decision, which a reader may override."""

    study = models.ForeignKey(ImagingStudy, on_delete=models.CASCADE, related_name="series")
    series_uid = models.CharField(_("pseudonymised series UID"), max_length=64)
    pacs_series_uid = models.CharField(_("PACS series UID"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=128, blank=True)
    modality = models.CharField(_("modality"), max_length=8)
    instances = models.PositiveIntegerField(_("images"))
    summary = models.JSONField(_("header summary"), default=dict)
    eligible = models.BooleanField(_("eligible"), default=False)
    role = models.CharField(_("role"), max_length=16, blank=True)
    chosen = models.BooleanField(_("chosen"), default=False)
    reasons = models.JSONField(_("reasons"), default=list)
    paired_series_uid = models.CharField(
        _("Dixon partner series UID"), max_length=64, blank=True,
        help_text=_("a Dixon water map's fat map, and the reverse, as selection paired them"),
    )  # fmt: skip
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        ordering = ["study", "-chosen", "description"]
        constraints = [
            models.UniqueConstraint(fields=["study", "series_uid"], name="series_once_per_study"),
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(chosen=True), name="one_chosen_series"
            ),
        ]
        verbose_name = _("imaging series")
        verbose_name_plural = _("imaging series")

    def __str__(self) -> str:
        return self.description or self.series_uid

    def audit_subject(self) -> str:
        return self.study.participant.study_id


class DiscLevels(AuditedModel):
    """Disc positions (LPS mm) of a study: proposed from the stack by the pipeline, then moved
    and confirmed by the reader (picker or imported JSON). Until confirmed, per-level metrics are
    provisional and reach no export."""

    study = models.OneToOneField(ImagingStudy, on_delete=models.CASCADE, related_name="levels")
    discs = models.JSONField(_("disc positions"), default=dict)
    source = models.CharField(_("source"), max_length=16)  # proposed, picker, json
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    entered_at = models.DateTimeField(auto_now=True)
    proposed = models.JSONField(_("proposed disc planes"), default=dict)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    moved_mm = models.JSONField(_("distance moved from the proposal (mm)"), default=dict)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    audit_excluded_fields = frozenset({"entered_at"})

    class Meta:
        verbose_name = _("disc levels")
        verbose_name_plural = _("disc levels")

    def __str__(self) -> str:
        return f"levels of study {self.study_id}"

    def audit_subject(self) -> str:
        return self.study.participant.study_id


class PacsCursor(models.Model):
    """Where the Orthanc /changes feed was last read (one row per PACS URL)."""

    url = models.CharField(max_length=255, unique=True)
    last_change = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.url} @ {self.last_change}"
