"""Who is acting, through which channel and why: carried in a context variable.

The web middleware fills it for each request; imports, tasks and scripts open their own with
``audit_context(...)``. Nothing here touches the database.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass, replace

from trial.roles import role_label_for

CHANNELS = ("web", "admin", "api", "import", "task", "system")


@dataclass(frozen=True)
class AuditContext:
    user_id: int | None = None
    username: str = ""
    role: str = ""
    channel: str = "system"
    ip: str | None = None
    user_agent: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"Unknown audit channel {self.channel!r}; expected one of {CHANNELS}.")


_current: ContextVar[AuditContext] = ContextVar("audit_context", default=AuditContext())  # noqa: B039


def current_context() -> AuditContext:
    return _current.get()


class audit_context:  # lower case: it reads as a function, ``with audit_context(reason=...)``
    """Open a nested context: fields given here override the enclosing ones.

    A class, not a ``@contextmanager`` generator: a generator left open (a view that raised
    before closing it) is closed by the garbage collector whenever it runs, and its ``reset``
    would then put back an old context in the middle of someone else's block (a randomisation
    lost its reason that way, once in several test runs). An abandoned instance does nothing."""

    def __init__(self, **changes: object) -> None:
        self._changes = changes
        self._token: Token[AuditContext] | None = None

    def __enter__(self) -> AuditContext:
        ctx = replace(_current.get(), **self._changes)  # type: ignore[arg-type]
        self._token = _current.set(ctx)
        return ctx

    def __exit__(self, *exc: object) -> None:
        token, self._token = self._token, None
        if token is not None:
            _current.reset(token)


def context_for_user(user: object, **extra: object) -> dict[str, object]:
    """Keyword arguments for ``audit_context`` describing a (possibly anonymous) user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": "", "role": "", **extra}
    return {
        "user_id": user.pk,  # type: ignore[attr-defined]
        "username": user.get_username(),  # type: ignore[attr-defined]
        "role": role_label_for(user),
        **extra,
    }
