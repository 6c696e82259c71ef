"""A randomisation asked for and its outcome: the queue the randomise service works through.

Twenty therapists pressing "randomise" in the same second used to run twenty transactions of a
dozen statements each, all on two cores. Each caller now records its request and the first to
take the randomiser's lock allocates every pending request in one transaction (bulk reads, one
trail insert); the others, waiting on the lock's shared side, are let go when it commits and
read their outcome here (``randomization.batch``). A request is
not clinical data: the allocation and its audit trail are written to the slot and the
participant as before, and this row only tells the caller what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trial.models import Participant


class RandomisationRequest(models.Model):
    # The foreign keys are constraints without indexes: nothing looks requests up by
    # participant, user or slot (a request is read by its id, or as pending), and every
    # randomisation paid for three more index entries at insert and again when decided. The
    # only search by them is the PROTECT check when a participant, user or slot is deleted
    # (never, for a randomised participant), which reads this small table whole.
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    environment = models.CharField(max_length=16)
    randomised_on = models.DateField()
    # The caller's audit context (who, through which channel, from where) as JSON text, written
    # to the trail by whichever caller allocates this request. Text, not a JSON column: the
    # queue is read and written with plain SQL on both databases (randomization.queue).
    context = models.TextField()
    requested_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    # The outcome: the slot given, or the refusal to raise to the caller (JSON text,
    # {"kind", "args"}; "" when a slot was given).
    slot = models.ForeignKey(
        "randomization.AllocationSlot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    refusal = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(done_at__isnull=True), name="randomise_pending"
            )
        ]

    def __str__(self) -> str:
        return f"randomise {self.participant_id} ({'done' if self.done_at else 'pending'})"
