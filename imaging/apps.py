from __future__ import annotations

from django.apps import AppConfig


class ImagingConfig(AppConfig):
    name = "imaging"

    def form_handlers(self) -> tuple:
        """This app's forms on the participant timeline (read by ``trial.handlers``)."""
        from imaging.handlers import form_handlers

        return form_handlers()
