from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def form_handlers(self) -> tuple:
        """This app's forms on the participant timeline (read by ``trial.handlers``)."""
        from outcomes.handlers import form_handlers

        return form_handlers()

    def audit_rows_hidden_from(self, user: object) -> object:
        """The stratification questionnaire's rows, for a reader blind to it."""
        from django.db.models import Q

        from outcomes.models import InstrumentResponse
        from trial.protocol import PROTOCOL

        if user.has_perm("trial.view_lsiq"):  # type: ignore[attr-defined]
            return None
        stratifier = InstrumentResponse.objects.filter(
            instrument=PROTOCOL.stratification.instrument
        ).values_list("pk", flat=True)
        return Q(
            object_type=InstrumentResponse._meta.label,
            object_id__in=[str(pk) for pk in stratifier],
        )

    def lock_checks(self) -> list:
        """Items this app adds to the database-lock checklist (read by ``trial.lock_checklist``)."""
        from outcomes.handlers import lock_checks

        return lock_checks()

    def work_items(self, role_code: str, user: object, by_participant: dict) -> list:
        """Items this app adds to a role's worklist (read by ``trial.selectors.worklists``)."""
        from outcomes.handlers import work_items

        return work_items(role_code, user, by_participant)
