"""A change to signed data voids the signature (21 CFR 11.70: a signature stays linked to exactly
what was signed). Called from ``AuditedModel``'s write paths, beside the lock guards, for rows
that belong to a visit (their ``lock_scope()``), so no page, import, task or API call escapes it.
"""

from __future__ import annotations

from django.utils import timezone


def void_signatures(instance: object, why: str) -> int:
    """Void the live signatures of the visit the row belongs to; returns how many."""
    scope = instance.lock_scope()  # type: ignore[attr-defined]
    if scope is None:
        return 0
    from trial.models.signature import ElectronicSignature

    participant_id, visit, form = scope
    live = ElectronicSignature.objects.filter(
        participant_id=participant_id, visit_code=visit, voided_at__isnull=True
    )
    voided = 0
    for signature in live:
        signature.voided_at = timezone.now()
        signature.void_reason = f"{form or visit} changed after signing: {why or 'data entered'}"
        signature.save(reason=signature.void_reason)
        voided += 1
    return voided
