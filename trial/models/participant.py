"""An enrolled participant: pseudonymous study ID, consent, randomisation facts, and study exit.

Everything outside ``ParticipantIdentity`` refers to the study ID only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.crypto.fields import EncryptedDateField, EncryptedTextField
from trial.models.choices import ConsentLanguage
from trial.models.screening import ScreeningEntry
from trial.validators import not_in_future


class StudyIdCounter(models.Model):
    """The last study number handed out. Numbers only go up, so an ID is never reused."""

    name = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class Participant(AuditedModel):
    study_id = models.CharField(_("study ID"), max_length=16, unique=True, editable=False)
    screening = models.OneToOneField(
        ScreeningEntry, on_delete=models.PROTECT, related_name="participant"
    )
    consent_version = models.CharField(_("consent form version"), max_length=32)
    consent_language = models.CharField(
        _("consent language"), max_length=2, choices=ConsentLanguage.choices
    )
    consent_date = models.DateField(_("consent signed on"), validators=[not_in_future])
    consent_obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consent obtained and signed by"),
    )
    session_1_planned_on = models.DateField(_("session 1 planned on"), null=True, blank=True)
    invited_pre_interview = models.BooleanField(
        _("invited to the pre-intervention interview"), default=False
    )
    invited_post_interview = models.BooleanField(
        _("invited to the post-intervention interview"), default=False
    )
    # Set once by the randomise service; the stratum used never changes afterwards.
    randomized_on = models.DateField(_("randomised on (session 1)"), null=True, blank=True)
    randomization_stratum = models.CharField(max_length=32, blank=True)
    mis_stratified = models.BooleanField(_("mis-stratified"), default=False)
    enrolled_at = models.DateTimeField(auto_now_add=True)

    audit_excluded_fields = frozenset({"enrolled_at"})

    class Meta:
        ordering = ["study_id"]
        verbose_name = _("participant")

    def __str__(self) -> str:
        return self.study_id

    def audit_subject(self) -> str:
        return self.study_id

    def clean(self) -> None:
        """The consent date sits between screening and the first thing done under it."""
        super().clean()
        if self.consent_date is None or self.screening_id is None:
            return
        screened_on = self.screening.screened_on
        if self.consent_date < screened_on:
            raise ValidationError(
                {
                    "consent_date": _("Consent cannot precede screening (%(day)s).")
                    % {"day": screened_on}
                }
            )
        if self.pk is None:
            return
        from trial.models.visits import VisitRecord
        from trial.protocol import PROTOCOL

        first_visit = (
            VisitRecord.objects.filter(participant=self, done_on__isnull=False)
            .exclude(visit_code=PROTOCOL.screening_visit)
            .order_by("done_on")
            .first()
        )
        later = [d for d in (self.randomized_on, first_visit and first_visit.done_on) if d]
        if later and self.consent_date > min(later):
            raise ValidationError(
                {
                    "consent_date": _("Consent cannot follow what was done under it (%(day)s).")
                    % {"day": min(later)}
                }
            )

    @property
    def is_randomised(self) -> bool:
        return self.randomized_on is not None


class ParticipantIdentity(AuditedModel):
    """Identifying data, encrypted at rest; only roles with ``view_identifiers`` read it."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="identity"
    )
    first_name = EncryptedTextField(_("first name"))
    last_name = EncryptedTextField(_("last name"))
    date_of_birth = EncryptedDateField(_("date of birth"))
    email = EncryptedTextField(_("e-mail"), blank=True)
    phone = EncryptedTextField(_("telephone"), blank=True)
    address = EncryptedTextField(_("postal address"), blank=True)

    audit_encrypted_fields = frozenset(
        {"first_name", "last_name", "date_of_birth", "email", "phone", "address"}
    )

    class Meta:
        verbose_name = _("participant identity")
        verbose_name_plural = _("participant identities")

    def __str__(self) -> str:
        return f"identity of {self.participant_id}"

    def audit_subject(self) -> str:
        return self.participant.study_id


class ExitKind(models.TextChoices):
    DISCONTINUED_INTERVENTION = (
        "discontinued",
        _("Discontinued the intervention (still followed up)"),
    )
    WITHDRAWN = "withdrawn", _("Withdrew from the study")
    LOST_TO_FOLLOW_UP = "lost", _("Lost to follow-up")


class ExitReason(models.TextChoices):
    WITHDREW_CONSENT = "withdrew_consent", _("Withdrew consent")
    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    LBP_WORSE = "lbp_worse", _("Back pain worse")
    UNRELATED_ILLNESS = "unrelated_illness", _("Unrelated illness or injury")
    TIME_CONSTRAINTS = "time_constraints", _("Time or travel constraints")
    DISSATISFIED = "dissatisfied", _("Dissatisfied with the intervention")
    PREGNANCY = "pregnancy", _("Pregnancy")
    MOVED_AWAY = "moved_away", _("Moved away")
    NO_CONTACT = "no_contact", _("Could not be contacted")
    INVESTIGATOR_DECISION = "investigator_decision", _("Investigator's decision")
    OTHER = "other", _("Other")


class DataUse(models.TextChoices):
    ALL = "all", _("All data, including later follow-up the participant agrees to")
    COLLECTED = "collected", _("Data collected up to the exit date only")
    NONE = "none", _("No data may be analysed (kept, excluded from analysis)")


class StudyExit(AuditedModel):
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="exit")
    kind = models.CharField(_("kind"), max_length=16, choices=ExitKind.choices)
    exit_on = models.DateField(_("date"), validators=[not_in_future])
    reason = models.CharField(_("reason"), max_length=32, choices=ExitReason.choices)
    data_use = models.CharField(
        _("data that may still be used"), max_length=16, choices=DataUse.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("study exit")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.participant_id})"

    def audit_subject(self) -> str:
        return self.participant.study_id

    @property
    def ends_follow_up(self) -> bool:
        return self.kind != ExitKind.DISCONTINUED_INTERVENTION
