"""API permission: the view's declared ``required_permissions``, as on every page."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class DeclaredPermissions(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(view.required_permissions))
