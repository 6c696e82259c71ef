"""The database-lock checklist: what must be clear (or waived with a reason) before the lock.

The core counts what it owns (open queries, unsigned visits, SDV, out-of-window visits without a
reason); each feature app adds its own items through ``AppConfig.lock_checks()`` (the primary
outcome's second entry from ``outcomes``, imaging review from ``imaging``), so the core imports no
feature app.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.apps import apps
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    count: int
    url_name: str = ""  # where to work the item off, when there is a page for it

    @property
    def clear(self) -> bool:
        return self.count == 0

    def as_record(self, waiver: str = "") -> dict[str, object]:
        """The item as it is kept on the lock row and signed (label as plain text)."""
        return {**asdict(self), "label": str(self.label), "waiver": waiver}


def core_checks() -> list[ChecklistItem]:
    from trial.models import DataQuery, VisitRecord
    from trial.models.queries import QueryStatus
    from trial.protocol import PROTOCOL
    from trial.services.sdv import sdv_progress
    from trial.services.signatures import unsigned_visit_count

    sdv = sdv_progress(PROTOCOL.outcome_visits())
    return [
        ChecklistItem(
            "open_queries",
            str(_("Open data queries")),
            DataQuery.objects.exclude(status=QueryStatus.CLOSED).count(),
            "outcomes:query_list",
        ),
        ChecklistItem(
            "unsigned_visits",
            str(_("Visits done and not signed off by the PI")),
            unsigned_visit_count(),
        ),
        ChecklistItem(
            "sdv_not_done",
            str(_("Outcome forms entered and not verified against source (SDV)")),
            sum(max(row.entered - row.marked, 0) for row in sdv),
        ),
        ChecklistItem(
            "out_of_window_without_reason",
            str(_("Visits outside their window without a reason")),
            VisitRecord.objects.filter(out_of_window=True, out_of_window_reason="").count(),
        ),
    ]


def lock_checklist() -> list[ChecklistItem]:
    """Every item, core first, then each app's in app order."""
    items = core_checks()
    for config in apps.get_app_configs():
        declare = getattr(config, "lock_checks", None)
        if declare:
            items += declare()
    return items
