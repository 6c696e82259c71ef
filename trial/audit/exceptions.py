"""Named errors of the audit trail."""


class AuditError(Exception):
    """Base class for audit-trail errors."""


class ReasonRequired(AuditError):
    """Saved data was changed or deleted without a reason for change."""

    def __init__(self, label: str, fields: list[str] | None = None) -> None:
        detail = f" (fields: {', '.join(sorted(fields))})" if fields else ""
        super().__init__(f"A reason for change is required to modify {label}{detail}.")


class BulkChangeRefused(AuditError):
    """A queryset-wide update or delete would bypass the per-row audit trail."""

    def __init__(self, model_label: str, operation: str) -> None:
        super().__init__(
            f"Bulk {operation} on {model_label} is refused: it would bypass the audit trail. "
            "Save or delete each object with a reason instead."
        )
