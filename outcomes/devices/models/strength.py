"""Strength tests: MedX lumbar extension (entered from the printout) and VALD DynaMo (imported)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcomes.devices.models.files import DeviceImport
from trial.audit.models import AuditedModel
from trial.models import Participant
from trial.validators import not_in_future

MEDX_ANGLES = (72, 60, 48, 36, 24, 12, 0)  # degrees of lumbar flexion, in test order


class TorqueUnit(models.TextChoices):
    NEWTON_METRE = "N·m", _("N·m")
    FOOT_POUND = "ft·lb", _("ft·lb")


def _torque_field(angle: int) -> models.FloatField:
    return models.FloatField(
        _("torque at %(angle)d° (N·m)") % {"angle": angle},
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


class MedxTest(AuditedModel):
    """Isometric torque at each tested angle, stored in N·m whatever the printout's unit (the
    unit and values as printed are kept too)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="medx")
    visit_code = models.CharField(_("visit"), max_length=32)
    tested_on = models.DateField(_("tested on"), validators=[not_in_future])
    unit_entered = models.CharField(_("unit on the printout"), max_length=5, choices=TorqueUnit)
    as_printed = models.JSONField(_("values as printed"), default=dict)
    torque_72 = _torque_field(72)
    torque_60 = _torque_field(60)
    torque_48 = _torque_field(48)
    torque_36 = _torque_field(36)
    torque_24 = _torque_field(24)
    torque_12 = _torque_field(12)
    torque_0 = _torque_field(0)
    counterweight = models.PositiveSmallIntegerField(_("counterweight setting"), null=True)
    gravity_torque_nm = models.FloatField(
        _("upper-body (gravity) torque (N·m)"), null=True, blank=True
    )
    gravity_corrected = models.BooleanField(_("torques are gravity-corrected"), default=True)
    rom_flexion_deg = models.PositiveSmallIntegerField(
        _("range of motion: flexion end (°)"), validators=[MaxValueValidator(72)]
    )
    rom_extension_deg = models.PositiveSmallIntegerField(
        _("range of motion: extension end (°)"), validators=[MaxValueValidator(72)]
    )
    seat_height = models.CharField(_("seat height setting"), max_length=16, blank=True)
    footboard = models.CharField(_("footboard setting"), max_length=16, blank=True)
    femur_restraint = models.CharField(_("femur restraint setting"), max_length=16, blank=True)
    head_rest = models.CharField(_("head-rest setting"), max_length=16, blank=True)
    peak_torque_nm = models.FloatField(_("peak torque (N·m)"))
    strength_index = models.FloatField(_("strength index (N·m·°)"), null=True)
    notes = models.TextField(_("notes"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "visit_code"], name="one_medx_test_per_visit"
            )
        ]
        verbose_name = _("MedX lumbar extension test")

    def __str__(self) -> str:
        return f"MedX {self.visit_code} of {self.participant_id}"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, self.visit_code, "medx"

    def audit_subject(self) -> str:
        return self.participant.study_id

    def curve(self) -> list[tuple[int, float | None]]:
        return [(a, getattr(self, f"torque_{a}")) for a in MEDX_ANGLES]


class DynamoCategory(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    RANGE_OF_MOTION = "rom", _("Range of motion")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    NONE = "none", _("No side")


class DynamoTest(AuditedModel):
    """One DynaMo result row: force (N) and the lever arm give torque; ROM in degrees."""

    source = models.ForeignKey(DeviceImport, on_delete=models.PROTECT, related_name="dynamo_tests")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="dynamo")
    visit_code = models.CharField(_("visit"), max_length=32)
    tested_at = models.DateTimeField(_("tested at"))
    category = models.CharField(max_length=8, choices=DynamoCategory.choices)
    movement = models.CharField(_("movement"), max_length=48)
    side = models.CharField(_("side"), max_length=5, choices=Side.choices)
    peak_force_n = models.FloatField(_("peak force (N)"), null=True)
    lever_arm_m = models.FloatField(_("lever arm (m)"), null=True)
    torque_nm = models.FloatField(_("torque (N·m)"), null=True)
    body_mass_kg = models.FloatField(_("body mass (kg)"), null=True)
    torque_per_kg = models.FloatField(_("torque / body mass (N·m/kg)"), null=True)
    rom_deg = models.FloatField(_("range of motion (°)"), null=True)
    entry_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["participant", "visit_code", "movement", "side", "tested_at"]
        verbose_name = _("DynaMo test")

    def __str__(self) -> str:
        return f"{self.movement} {self.side}"

    def lock_scope(self) -> tuple[int, str, str] | None:
        return self.participant_id, self.visit_code, "dynamo"

    def audit_subject(self) -> str:
        return self.participant.study_id
