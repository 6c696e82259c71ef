from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext as _


class ImagingConfig(AppConfig):
    name = "imaging"

    def ready(self) -> None:
        from imaging import checks  # noqa: F401 - registers the system checks

    def form_handlers(self) -> tuple:
        """This app's forms on the participant timeline (read by ``trial.handlers``)."""
        from imaging.handlers import form_handlers

        return form_handlers()

    def lock_checks(self) -> list:
        """MRI runs awaiting review or correction (read by ``trial.lock_checklist``)."""
        from imaging.selectors import qc_counts
        from trial.lock_checklist import ChecklistItem

        counts = qc_counts()
        return [
            ChecklistItem(
                "imaging_awaiting_review",
                str(_("MRI segmentations awaiting review (or needing correction)")),
                counts.awaiting_review,
                "imaging:imaging_worklist",
            ),
            ChecklistItem(
                "imaging_processing", str(_("MRI studies still processing")), counts.processing
            ),
        ]
