from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialConfig(AppConfig):
    name = "trial"
    verbose_name = _("Trial")

    def ready(self) -> None:
        # Auth events (login, logout, failures) only reach us through Django's signals; the
        # receivers write audit rows and nothing else.
        from django.utils.translation import gettext

        from . import checks  # noqa: F401
        from .audit import auth_events  # noqa: F401
        from .compiled_query import register_lookup
        from .protocol.labels import install_translator

        register_lookup()  # ``field__any_of``: hot-path queries compiled once (compiled_query)
        # Protocol labels (pure data) are shown in the reader's language.
        install_translator(gettext)

    def form_handlers(self) -> tuple:
        """This app's forms on the participant timeline (read by ``trial.handlers``)."""
        from trial.core_forms import form_handlers

        return form_handlers()
