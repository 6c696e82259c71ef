"""``AuditedModel``: trial data whose every create, change and delete lands in the audit trail.

A change to saved data needs a reason (``obj.save(reason=...)`` or an enclosing
``audit_context(reason=...)``), on every channel; without one the save raises ``ReasonRequired``
and nothing is written. Queryset-wide ``update``/``delete``/``bulk_update`` are refused; a
``bulk_create`` is audited row by row. Fields named in ``audit_sealed_fields`` (the arm) are
written to the trail as ``<sealed>``, never in plain form; fields in ``audit_encrypted_fields``
(identifying data) are written as Fernet tokens, so the history is kept but only readable with the
key. A dict-valued JSON field (questionnaire answers) is recorded one key at a time
(``responses.lsiq_03``), so a correction to one item reads as one change.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction

from trial.audit.context import current_context
from trial.audit.exceptions import BulkChangeRefused, ReasonRequired
from trial.audit.lock import refuse_if_locked, refuse_if_record_locked
from trial.audit.recorder import (
    ENCRYPTED_PREFIX,
    SEALED,
    AuditEvent,
    FieldChange,
    as_text,
    record_events,
)
from trial.audit.signature_guard import void_signatures
from trial.crypto.keys import encrypt
from trial.models.audit import AuditAction


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise BulkChangeRefused(self.model._meta.label, "update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise BulkChangeRefused(self.model._meta.label, "delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise BulkChangeRefused(self.model._meta.label, "bulk_update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        refuse_if_locked(self.model)
        objs = list(objs)
        for obj in objs:  # imports: each row into a locked form refuses the whole batch
            refuse_if_record_locked(obj)
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            names = [f.attname for f in self.model._audit_fields()]
            stored = {
                row.pop("pk"): row
                for row in self.model._base_manager.filter(pk__in=[o.pk for o in created]).values(
                    "pk", *names
                )
            }
            record_events(
                [obj.audit_event(AuditAction.CREATE, None, stored[obj.pk]) for obj in created]
            )
            voided_scopes = set()
            for obj in created:  # one void per visit touched, not per row
                scope = obj.lock_scope()
                if scope is not None and scope[:2] not in voided_scopes:
                    voided_scopes.add(scope[:2])
                    void_signatures(obj, "imported")
        return created


class AuditedModel(models.Model):
    audit_sealed_fields: ClassVar[frozenset[str]] = frozenset()
    audit_excluded_fields: ClassVar[frozenset[str]] = frozenset()
    audit_encrypted_fields: ClassVar[frozenset[str]] = frozenset()
    # Rows that must stay writable while the database is locked (see trial.audit.lock).
    editable_when_locked: ClassVar[bool] = False

    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True

    # --- write paths ------------------------------------------------------------------------------
    def save(self, *args: Any, reason: str | None = None, **kwargs: Any) -> None:
        why = (current_context().reason if reason is None else reason).strip()
        refuse_if_locked(type(self))
        refuse_if_record_locked(self)
        with transaction.atomic():
            adding = self._state.adding
            before = None if adding else self._audit_values_from_db()
            super().save(*args, **kwargs)
            after = self._audit_values_from_db()
            changed = [k for k, v in after.items() if before is None or before.get(k) != v]
            if before is not None and changed and not why:
                raise ReasonRequired(f"{self._meta.verbose_name} {self.pk}", changed)
            if changed:
                void_signatures(self, why)
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
        refuse_if_locked(type(self))
        refuse_if_record_locked(self)
        with transaction.atomic():
            before = self._audit_values_from_db()
            pk = self.pk
            result = super().delete(*args, **kwargs)
            self.pk = pk
            void_signatures(self, why)
            self._audit_record(AuditAction.DELETE, before, None, why)
            self.pk = None
            return result

    def lock_scope(self) -> tuple[int, str, str] | None:
        """(participant id, visit code, form code) this row belongs to, for form and visit
        locks; None for rows outside any form."""
        return None

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

    def audit_event(
        self, action: str, before: dict[str, object] | None, after: dict[str, object] | None
    ) -> AuditEvent:
        """This row's event with its field changes by the model's rules (sealed, encrypted,
        per JSON key): what a save records, for writers that insert several at once."""
        return AuditEvent(action, self._meta.label, self.pk, self.audit_subject(),
                          self._audit_changes(before, after))  # fmt: skip

    def _audit_record(
        self,
        action: str,
        before: dict[str, object] | None,
        after: dict[str, object] | None,
        reason: str | None,
    ) -> None:
        event = self.audit_event(action, before, after)
        if action == AuditAction.UPDATE and not event.changes:
            return
        record_events([event], reason=reason)

    def _audit_changes(
        self, before: dict[str, object] | None, after: dict[str, object] | None
    ) -> list[FieldChange]:
        changes: list[FieldChange] = []
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
            elif f.name in self.audit_encrypted_fields:
                changes.append(FieldChange(f.name, _encrypted(old), _encrypted(new)))
            elif _dicts(old, new):
                changes += _dict_changes(f.name, old or {}, new or {})
            else:
                changes.append(FieldChange(f.name, as_text(old), as_text(new)))
        return changes


def _dicts(old: object, new: object) -> bool:
    """Both sides are dicts (or absent), and at least one is a dict."""
    kinds = (isinstance(old, dict), isinstance(new, dict))
    return any(kinds) and all(k or v is None for k, v in zip(kinds, (old, new), strict=True))


def _encrypted(value: object) -> str | None:
    text = as_text(value)
    return None if text in (None, "") else ENCRYPTED_PREFIX + encrypt(text)


def _dict_changes(name: str, old: dict, new: dict) -> list[FieldChange]:
    return [
        FieldChange(f"{name}.{key}", as_text(old.get(key)), as_text(new.get(key)))
        for key in sorted(set(old) | set(new), key=str)
        if old.get(key) != new.get(key)
    ]
