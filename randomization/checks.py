"""Fail-fast checks of the randomisation set-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from randomization.models import Environment


@register(Tags.security)
def check_environment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.RANDOMISATION_ENVIRONMENT not in Environment.values:
        return [
            Error(
                f"RANDOMISATION_ENVIRONMENT is {settings.RANDOMISATION_ENVIRONMENT!r}.",
                hint=f"Use one of {', '.join(Environment.values)}.",
                id="randomization.E001",
            )
        ]
    return []


@register(Tags.database)
def check_production_list(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Error]:
    """Production randomisation with no production list would refuse every participant."""
    if not databases or settings.RANDOMISATION_ENVIRONMENT != Environment.PRODUCTION:
        return []
    from django.db import connection

    from randomization.models import AllocationList

    if AllocationList._meta.db_table not in connection.introspection.table_names():
        return []  # not migrated yet (``migrate`` runs database checks before it migrates)
    if AllocationList.objects.filter(environment=Environment.PRODUCTION).exists():
        return []
    return [
        Error(
            "Production randomisation is enabled but no production allocation list is imported.",
            hint="Import the statistician's list (manage.py import_allocation_list) or set "
            "RANDOMISATION_ENVIRONMENT=test.",
            id="randomization.E002",
        )
    ]
