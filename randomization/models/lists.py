"""Allocation lists and their slots. The arm is encrypted at rest and sealed in the audit trail;
only ``randomization.selectors`` decides who may read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.models import AuditedModel
from trial.crypto.fields import EncryptedTextField
from trial.models import Participant


class Environment(models.TextChoices):
    TEST = "test", _("Test (training and validation only)")
    PRODUCTION = "production", _("Production")


class AllocationList(AuditedModel):
    name = models.CharField(_("name"), max_length=100)
    environment = models.CharField(_("environment"), max_length=16, choices=Environment.choices)
    sha256 = models.CharField(_("file SHA-256"), max_length=64, unique=True)
    algorithm = models.CharField(max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    # Set when the first slot of a production list is used; from then on the list only grows
    # through ``extend_list`` with a reason.
    locked_at = models.DateTimeField(null=True, blank=True)

    audit_excluded_fields = frozenset({"imported_at"})

    class Meta:
        verbose_name = _("allocation list")

    def __str__(self) -> str:
        return f"{self.name} ({self.environment})"


class AllocationSlot(AuditedModel):
    allocation_list = models.ForeignKey(
        AllocationList, on_delete=models.PROTECT, related_name="slots"
    )
    stratum = models.CharField(max_length=32)
    position = models.PositiveIntegerField()
    block_number = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = EncryptedTextField()
    participant = models.OneToOneField(
        Participant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",  # the arm is reached only through randomization.selectors
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    audit_sealed_fields = frozenset({"arm"})

    class Meta:
        ordering = ["allocation_list", "stratum", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation_list", "stratum", "position"], name="one_slot_per_position"
            )
        ]
        verbose_name = _("allocation slot")

    def __str__(self) -> str:
        return f"{self.stratum} #{self.position}"

    def audit_subject(self) -> str:
        return self.participant.study_id if self.participant_id else ""
