"""Template context: the navigation items this user may use, and their roles."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from trial.access.navigation import ACCOUNT_MENU, NAVIGATION, NavItem
from trial.roles import roles_of


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "account_items": [], "user_roles": []}

    def permitted(items: tuple[NavItem, ...]) -> list[dict[str, object]]:
        return [
            {"label": item.label, "url": reverse(item.url_name)}
            for item in items
            if user.has_perm(item.permission)
        ]

    return {
        "nav_items": permitted(NAVIGATION),
        "account_items": permitted(ACCOUNT_MENU),
        "user_roles": roles_of(user),
    }


def database_lock(request: HttpRequest) -> dict[str, object]:
    """The lock state for the banner on every page (one indexed query)."""
    from trial.audit.lock import database_locked

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"database_locked": database_locked()}
