"""``AuditedModel``: trial data whose every create, change and delete lands in the audit trail.

A change to saved data needs a reason (``obj.save(reason=...)`` or an enclosing
``audit_context(reason=...)``), on every channel; without one the save raises ``ReasonRequired``
and nothing is written. Queryset-wide ``update``/``delete``/``bulk_update`` are refused; a
``bulk_create`` is audited row by row. Fields named in ``audit_sealed_fields`` (the arm) are
written to the trail as ``<sealed>``, never in plain form.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction

from trial.audit.context import current_context
from trial.audit.exceptions import BulkChangeRefused, ReasonRequired
from trial.audit.recorder import SEALED, FieldChange, as_text, record
from trial.models.audit import AuditAction


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise BulkChangeRefused(self.model._meta.label, "update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise BulkChangeRefused(self.model._meta.label, "delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise BulkChangeRefused(self.model._meta.label, "bulk_update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            names = [f.attname for f in self.model._audit_fields()]
            stored = {
                row.pop("pk"): row
                for row in self.model._base_manager.filter(pk__in=[o.pk for o in created]).values(
                    "pk", *names
                )
            }
            for obj in created:
                obj._audit_record(AuditAction.CREATE, None, stored[obj.pk], None)
        return created


class AuditedModel(models.Model):
    audit_sealed_fields: ClassVar[frozenset[str]] = frozenset()
    audit_excluded_fields: ClassVar[frozenset[str]] = frozenset()

    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True

    # --- write paths ------------------------------------------------------------------------------
    def save(self, *args: Any, reason: str | None = None, **kwargs: Any) -> None:
        why = (current_context().reason if reason is None else reason).strip()
        with transaction.atomic():
            adding = self._state.adding
            before = None if adding else self._audit_values_from_db()
            super().save(*args, **kwargs)
            after = self._audit_values_from_db()
            if before is not None:
                changed = [k for k, v in after.items() if before.get(k) != v]
                if changed and not why:
                    raise ReasonRequired(f"{self._meta.verbose_name} {self.pk}", changed)
            self._audit_record(
                AuditAction.CREATE if before is None else AuditAction.UPDATE,
                before,
                after,
                why,
            )

    def delete(self, *args: Any, reason: str | None = None, **kwargs: Any) -> tuple[int, dict]:
        why = (current_context().reason if reason is None else reason).strip()
        if not why:
            raise ReasonRequired(f"{self._meta.verbose_name} {self.pk}")
        with transaction.atomic():
            before = self._audit_values_from_db()
            pk = self.pk
            result = super().delete(*args, **kwargs)
            self.pk = pk
            self._audit_record(AuditAction.DELETE, before, None, why)
            self.pk = None
            return result

    # --- what the trail records -------------------------------------------------------------------
    def audit_subject(self) -> str:
        """The participant's study ID this row belongs to ("" when none)."""
        return ""

    @classmethod
    def _audit_fields(cls) -> list[models.Field]:
        return [
            f
            for f in cls._meta.concrete_fields
            if not f.primary_key and f.name not in cls.audit_excluded_fields
        ]

    def _audit_values_from_db(self) -> dict[str, object]:
        names = [f.attname for f in self._audit_fields()]
        row = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
        return row or {}

    def _audit_record(
        self,
        action: str,
        before: dict[str, object] | None,
        after: dict[str, object] | None,
        reason: str | None,
    ) -> None:
        changes = []
        for f in self._audit_fields():
            old = None if before is None else before.get(f.attname)
            new = None if after is None else after.get(f.attname)
            if before is not None and after is not None and old == new:
                continue
            if before is None and new is None:
                continue
            if f.name in self.audit_sealed_fields:
                changes.append(
                    FieldChange(
                        f.name,
                        SEALED if old is not None else None,
                        SEALED if new is not None else None,
                    )
                )
            else:
                changes.append(FieldChange(f.name, as_text(old), as_text(new)))
        if action == AuditAction.UPDATE and not changes:
            return
        record(
            action,
            object_type=self._meta.label,
            object_id=self.pk,
            subject=self.audit_subject(),
            changes=changes,
            reason=reason,
        )
