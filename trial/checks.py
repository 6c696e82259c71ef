"""Fail-fast system checks: a misconfiguration stops ``manage.py`` before it serves anyone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.checks import Error, Tags, register
from django.urls import URLPattern, URLResolver, get_resolver

from trial.access.policy import policy_for
from trial.models.access import TRIAL_PERMISSIONS
from trial.roles import ROLES, blinding_conflicts


def iter_patterns(
    patterns: list[Any] | None = None, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, URLPattern, tuple[str, ...]]]:
    """Every URL pattern of the project with its full route and namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from iter_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespaces


@register(Tags.security, Tags.urls)
def check_every_view_declares_access(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    for route, pattern, namespaces in iter_patterns():
        if policy_for(pattern.callback, namespaces) is None:
            errors.append(
                Error(
                    f"URL {route!r} ({pattern.name}) declares no access policy.",
                    hint="Decorate the view with @requires(...), @signed_in or @public.",
                    id="trial.E001",
                )
            )
    return errors


@register(Tags.security)
def check_role_declarations(app_configs: Any, **kwargs: Any) -> list[Error]:
    known = {codename for codename, _label in TRIAL_PERMISSIONS}
    errors = []
    for role in ROLES:
        conflicts = blinding_conflicts(role)
        if conflicts:
            errors.append(
                Error(
                    f"Role {role.code!r} is blinded but holds {', '.join(conflicts)}.",
                    id="trial.E002",
                )
            )
        unknown = sorted(role.permissions - known)
        if unknown:
            errors.append(
                Error(f"Role {role.code!r} names unknown permissions {unknown}.", id="trial.E003")
            )
    return errors


@register()
def check_every_form_has_a_handler(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Each protocol form is owned by exactly one app's ``form_handlers()``: a form nobody
    handles would sit "missing" on every timeline."""
    from trial.handlers import handler_problems
    from trial.protocol import PROTOCOL

    return [
        Error(
            problem,
            hint="Declare it in the owning app's AppConfig.form_handlers().",
            id="trial.E010",
        )
        for problem in handler_problems(
            (form.code for form in PROTOCOL.forms),
            entered=[p.form for p in PROTOCOL.randomisation_preconditions],
            totalled=[PROTOCOL.stratification.instrument],
        )
    ]


@register()
def check_optional_visits_have_invitations(app_configs: Any, **kwargs: Any) -> list[Error]:
    """An optional visit is shown to those invited: the participant must carry the flag."""
    from trial.models import Participant
    from trial.protocol import PROTOCOL

    fields = {field.name for field in Participant._meta.get_fields()}
    return [
        Error(
            f"Optional visit {code!r} has no Participant field invited_{code}.",
            hint="Add the invitation flag (and its migration) or make the visit required.",
            id="trial.E011",
        )
        for code in PROTOCOL.optional_visits()
        if f"invited_{code}" not in fields
    ]


@register()
def check_one_arm_source(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Exactly one installed app answers for arms (the blinding layer)."""
    from trial.arms import arm_sources

    count = len(arm_sources())
    if count == 1:
        return []
    return [
        Error(
            f"{count} installed apps declare arm_source(); the blinding layer needs exactly one.",
            id="trial.E012",
        )
    ]
