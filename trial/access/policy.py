"""How a view declares its access policy, and how the middleware reads it.

``@requires("trial.view_audit_trail")`` on a function view, ``required_permissions = (...)``
(or ``access_public`` / ``access_signed_in``) as class attributes of a class-based view,
``@public`` for the few pages an anonymous visitor may open.
A view that declares nothing is refused (and fails the ``trial.E001`` system check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# URL namespaces whose views enforce access themselves (the Django admin checks is_staff and model
# permissions). Login is still required by the middleware.
DELEGATED_NAMESPACES = frozenset({"admin"})


@dataclass(frozen=True)
class Policy:
    public: bool = False
    signed_in: bool = False
    permissions: tuple[str, ...] = ()
    delegated: bool = False
    api: bool = False  # authenticated by the API framework (token or session), then permissions


def requires(*permissions: str) -> Callable[[F], F]:
    if not permissions:
        raise ValueError("requires() needs at least one permission; use @public for open pages.")

    def mark(view: F) -> F:
        view.required_permissions = tuple(permissions)  # type: ignore[attr-defined]
        return view

    return mark


def signed_in(view: F) -> F:
    """Any authenticated user (for redirects and logout; the target pages check their own)."""
    view.access_signed_in = True  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    view.access_public = True  # type: ignore[attr-defined]
    return view


def policy_for(
    view: Callable[..., Any], namespaces: list[str] | tuple[str, ...] = ()
) -> Policy | None:
    """The declared policy of a resolved view, or None when it declares nothing."""
    if DELEGATED_NAMESPACES.intersection(namespaces):
        return Policy(delegated=True)
    holders = [view, getattr(view, "view_class", None), getattr(view, "cls", None)]
    initkwargs = getattr(view, "view_initkwargs", {}) or {}
    for holder in holders:
        if holder is None:
            continue
        if initkwargs.get("access_public") or getattr(holder, "access_public", False):
            return Policy(public=True)
        if initkwargs.get("access_signed_in") or getattr(holder, "access_signed_in", False):
            return Policy(signed_in=True)
        perms = initkwargs.get("required_permissions") or getattr(
            holder, "required_permissions", ()
        )
        if perms:
            return Policy(permissions=tuple(perms), api=bool(getattr(holder, "access_api", False)))
    return None
