from __future__ import annotations

from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "randomization"

    def ready(self) -> None:
        from randomization import checks  # noqa: F401 - registers the system checks

    def form_handlers(self) -> tuple:
        """This app's forms on the participant timeline (read by ``trial.handlers``)."""
        from randomization.handlers import form_handlers

        return form_handlers()

    def arm_source(self) -> object:
        """The core asks this app for arms through ``trial.arms`` (it cannot import us)."""
        from randomization import selectors

        return selectors

    def audit_rows_hidden_from(self, user: object) -> object:
        """Allocation slots tell the arm: not in the trail of a reader who may not see it."""
        from django.db.models import Q

        from randomization.models import AllocationSlot
        from randomization.selectors import may_see_arm

        return None if may_see_arm(user) else Q(object_type=AllocationSlot._meta.label)
