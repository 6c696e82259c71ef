"""One row per changed field (or per event) in the append-only, hash-chained audit trail.

Follows ``shared/reference/edc_anchors.md`` §4.4 (CDISC ODM AuditRecord, 21 CFR 11.10(e),
ICH E6(R3) 4.2.2). Rows are never updated or deleted: the model refuses, the queryset refuses and,
on PostgreSQL, a trigger refuses raw SQL too, except the one update that seals a row into the
hash chain (``trial.audit.sequencer``), which may fill only the chain columns.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from trial.audit.exceptions import BulkChangeRefused


class AuditAction(models.TextChoices):
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    LOGIN = "login", _("login")
    LOGOUT = "logout", _("logout")
    LOGIN_FAILED = "login_failed", _("login failed")
    VIEW_SENSITIVE = "view_sensitive", _("view sensitive data")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    RANDOMISE = "randomise", _("randomise")
    UNBLIND = "unblind", _("unblind")
    SIGN = "sign", _("sign")
    LOCK = "lock", _("lock")
    UNLOCK = "unlock", _("unlock")
    PERMISSION_CHANGE = "permission_change", _("permission change")
    CONFIG_CHANGE = "config_change", _("configuration change")


# Rows that record a change to stored trial data (every AuditedModel write), as opposed to
# events such as a login, a view of identifying data or an export.
DATA_CHANGE_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)
DATA_CHANGE = models.Q(action__in=[str(a) for a in DATA_CHANGE_ACTIONS])


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise BulkChangeRefused("trial.AuditEntry", "update")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise BulkChangeRefused("trial.AuditEntry", "delete")


class AuditEntry(models.Model):
    # Position in the hash chain, given by the sequencer after commit (trial.audit.sequencer);
    # empty until then. Ids follow insertion, not commit, so they need not be the chain's order.
    seq = models.BigIntegerField(unique=True, null=True, blank=True)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=32, blank=True)
    field = models.CharField(max_length=100, blank=True)
    # NULL (no value) and "" (an empty value) are different facts in an audit trail.
    old_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    new_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    reason = models.TextField(blank=True)
    channel = models.CharField(max_length=16)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    app_version = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (unsealed)
    hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (unsealed)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"
            ),
            # The data stamp (trial.selectors.data_version) reads the newest data change fast.
            models.Index(fields=["seq"], condition=DATA_CHANGE, name="audit_change_seq"),
            models.Index(fields=["id"], condition=DATA_CHANGE, name="audit_change_id"),
            # The trail page's text filters, all exact matches: plain indexes, without the
            # ``LIKE`` twins Django adds to an indexed text field (no query searches the trail
            # by prefix, and every audited write paid for each of them twice: at insert and
            # when sealed). Nothing looks a row up by its hash or event id.
            *(
                models.Index(fields=[name], name=f"audit_{name}")
                for name in ("action", "object_type", "subject", "field")
            ),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise BulkChangeRefused("trial.AuditEntry", "update")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise BulkChangeRefused("trial.AuditEntry", "delete")
