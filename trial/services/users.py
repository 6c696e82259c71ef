"""User administration by the data manager and the PI: every action audited with a reason.

Accounts are created without a usable password: the person sets one from a one-time link sent by
e-mail (Django's password-reset token, valid ``PASSWORD_RESET_TIMEOUT``), so nobody else ever knows
it (21 CFR 11.300). Accounts are deactivated, never deleted, and no one administers their own
account. A user holds exactly one of the declared roles; roles are checked for blinding conflicts
at start-up (``trial.E002``) and again here, so the page can never hand a blinded person an
unblinding permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from trial.audit.recorder import FieldChange, record
from trial.exceptions import JourneyError
from trial.models import User
from trial.models.audit import AuditAction
from trial.roles import (
    ROLES_BY_CODE,
    UNBLINDED_FLAG_PERMISSIONS,
    Role,
    blinding_conflicts,
    forget_roles,
    roles_of,
)
from trial.services.accounts import is_locked_out, revoke_access

OBJECT_TYPE = "trial.User"


class UserAdminRefused(JourneyError):
    """A user-administration action was refused; nothing changed."""


@dataclass(frozen=True)
class AccountSummary:
    """What the administration list shows of one account (never its password or token)."""

    user: User
    role: Role | None
    locked_out: bool
    failed_attempts: int
    has_token: bool
    last_login: datetime | None
    unblinded_flag: bool = False

    @property
    def current_role(self) -> str:
        return self.role.code if self.role else ""


def _audit(user: User, action: str, reason: str, changes: list[FieldChange] | None = None) -> None:
    """One audit row (or one per changed field) about the administered account."""
    record(action, object_type=OBJECT_TYPE, object_id=user.pk, subject=user.username,
           changes=changes, reason=reason)  # fmt: skip


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise UserAdminRefused(_("Say why (the reason is kept in the audit trail)."))
    return reason.strip()


def _refuse_self(actor: User, target: User) -> None:
    if actor.pk == target.pk:
        raise UserAdminRefused(
            _("No one administers their own account: ask another data manager or the PI.")
        )


def _role(code: str) -> Role:
    role = ROLES_BY_CODE.get(code)
    if role is None:
        raise UserAdminRefused(_("Choose one of the trial's roles."))
    conflicts = blinding_conflicts(role)
    if conflicts:  # the system check stops start-up first; this guards a page posted anyway
        raise UserAdminRefused(
            _("This role is blinded but would hold %(perms)s.") % {"perms": ", ".join(conflicts)}
        )
    return role


def account_summaries() -> list[AccountSummary]:
    """Every account, with its role, lockout state, failed attempts and token, in two queries
    (plus one for the failed attempts)."""
    from axes.models import AccessAttempt

    failures: dict[str, int] = {}
    for username, count in AccessAttempt.objects.values_list("username", "failures_since_start"):
        failures[username] = failures.get(username, 0) + count
    tokens = set(Token.objects.values_list("user_id", flat=True))
    users = User.objects.prefetch_related("groups").order_by("-is_active", "username")
    return [
        AccountSummary(
            user=user,
            role=next(iter(roles_of(user)), None),
            locked_out=is_locked_out(user.username) if failures.get(user.username) else False,
            failed_attempts=failures.get(user.username, 0),
            has_token=user.pk in tokens,
            last_login=user.last_login,
        )
        for user in users
    ]


def summary_of(user: User) -> AccountSummary:
    from axes.models import AccessAttempt

    failed = sum(
        AccessAttempt.objects.filter(username=user.username).values_list(
            "failures_since_start", flat=True
        )
    )
    return AccountSummary(
        user=user,
        role=next(iter(roles_of(user)), None),
        locked_out=is_locked_out(user.username),
        failed_attempts=failed,
        has_token=Token.objects.filter(user=user).exists(),
        last_login=user.last_login,
        unblinded_flag=has_unblinded_flag(user),
    )


def _flag_permissions() -> list[object]:
    from django.contrib.auth.models import Permission

    return list(
        Permission.objects.filter(
            content_type__app_label="trial", codename__in=UNBLINDED_FLAG_PERMISSIONS
        )
    )


def has_unblinded_flag(user: User) -> bool:
    return user.user_permissions.filter(codename__in=UNBLINDED_FLAG_PERMISSIONS).exists()


@transaction.atomic
def set_unblinded_flag(actor: User, user: User, granted: bool, reason: str) -> None:
    """The PI unblinds (or blinds again) one person whose role the design allows it for: the
    permissions in ``UNBLINDED_FLAG_PERMISSIONS``, held by that user alone. Their sessions and
    tokens end so the change applies at once."""
    why = _require_reason(reason)
    _refuse_self(actor, user)
    if not actor.has_perm("trial.approve_unblinding"):
        raise UserAdminRefused(_("Only the PI grants or removes the unblinded flag."))
    role = next(iter(roles_of(user)), None)
    if granted and (role is None or not role.may_be_unblinded):
        raise UserAdminRefused(_("The trial's design keeps this role blinded to the arm."))
    if has_unblinded_flag(user) == granted:
        raise UserAdminRefused(_("Nothing to change."))
    if granted:
        user.user_permissions.add(*_flag_permissions())
    else:
        user.user_permissions.remove(*_flag_permissions())
    revoke_access(user, f"unblinded flag {'granted' if granted else 'removed'}: {why}")
    _audit(
        user,
        AuditAction.PERMISSION_CHANGE,
        why,
        [FieldChange("unblinded_flag", str(not granted), str(granted))],
    )


def set_password_link(user: User, base_url: str) -> str:
    """An absolute one-time link that lets ``user`` choose a password (Django's reset token:
    it stops working once the password changes or after ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_set", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def _send_link(user: User, base_url: str, *, first: bool) -> None:
    if not user.email:
        raise UserAdminRefused(_("The account has no e-mail address to send the link to."))
    link = set_password_link(user, base_url)
    with translation.override(user.language or settings.LANGUAGE_CODE):  # the reader's language
        subject, body = _link_message(user, link, first=first)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _link_message(user: User, link: str, *, first: bool) -> tuple[str, str]:
    subject = _("Your STRONG-BACK account") if first else _("Set a new password for STRONG-BACK")
    body = _(
        "Hello %(name)s,\n\nUse this one-time link to choose your password (user name: "
        "%(username)s):\n\n%(link)s\n\nThe link works once and expires in %(days)d days. If you "
        "did not expect this message, tell the trial's data manager.\n"
    ) % {
        "name": user.get_full_name() or user.username,
        "username": user.username,
        "link": link,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    return str(subject), body


@transaction.atomic
def create_user(
    actor: User,
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role_code: str,
    reason: str,
    base_url: str,
) -> User:
    """Create an account with no usable password, give it one role and e-mail the set-password
    link (after the transaction commits, so a refused creation sends nothing)."""
    why = _require_reason(reason)
    role = _role(role_code)
    if not email.strip():
        raise UserAdminRefused(_("An e-mail address is needed to send the set-password link."))
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise UserAdminRefused(_("That user name is taken (accounts are never deleted)."))
    user = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.set_unusable_password()
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role.group_name)[0]])
    forget_roles(user)
    _audit(
        user,
        AuditAction.CREATE,
        why,
        [FieldChange("role", None, role.code), FieldChange("email", None, user.email)],
    )
    transaction.on_commit(lambda: _send_link(user, base_url, first=True))
    return user


@transaction.atomic
def change_role(actor: User, user: User, role_code: str, reason: str) -> None:
    why = _require_reason(reason)
    _refuse_self(actor, user)
    role = _role(role_code)
    before = ",".join(r.code for r in roles_of(user)) or None
    if before == role.code:
        raise UserAdminRefused(_("The account already has that role."))
    user.groups.set([Group.objects.get_or_create(name=role.group_name)[0]])
    forget_roles(user)
    if not role.may_be_unblinded:
        user.user_permissions.remove(*_flag_permissions())
    # A new role means new permissions: sessions and tokens issued under the old one end.
    revoke_access(user, f"role changed: {why}")
    _audit(user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("role", before, role.code)])


@transaction.atomic
def deactivate(actor: User, user: User, reason: str) -> None:
    """Deactivate (never delete: the audit trail names them) and end every session and token."""
    why = _require_reason(reason)
    _refuse_self(actor, user)
    if not user.is_active:
        raise UserAdminRefused(_("The account is already deactivated."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    _audit(user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("is_active", "True", "False")])
    revoke_access(user, f"account deactivated: {why}")


@transaction.atomic
def reactivate(actor: User, user: User, reason: str) -> None:
    why = _require_reason(reason)
    _refuse_self(actor, user)
    if user.is_active:
        raise UserAdminRefused(_("The account is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("is_active", "False", "True")])


@transaction.atomic
def unlock(actor: User, user: User, reason: str) -> int:
    """Clear django-axes' failed attempts for the account; returns how many records were reset."""
    from axes.utils import reset

    why = _require_reason(reason)
    _refuse_self(actor, user)
    cleared = reset(username=user.username)
    _audit(user, AuditAction.UNLOCK, f"login lockout cleared ({cleared} record(s)): {why}")
    return cleared


@transaction.atomic
def force_password_reset(actor: User, user: User, reason: str, base_url: str) -> None:
    """Invalidate the password, end sessions and tokens, and e-mail a set-password link."""
    why = _require_reason(reason)
    _refuse_self(actor, user)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    revoke_access(user, f"password reset forced: {why}")
    _audit(
        user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("password", "set", "reset required")]
    )
    transaction.on_commit(lambda: _send_link(user, base_url, first=False))


@transaction.atomic
def issue_token(actor: User, user: User, reason: str) -> str:
    """Replace the account's API token with a new one; the key is shown once, never stored
    anywhere the pages can show again."""
    why = _require_reason(reason)
    _refuse_self(actor, user)
    if not user.is_active:
        raise UserAdminRefused(_("A deactivated account cannot get an API token."))
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    _audit(user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("api_token", None, "issued")])
    return token.key


@transaction.atomic
def revoke_token(actor: User, user: User, reason: str) -> int:
    why = _require_reason(reason)
    _refuse_self(actor, user)
    deleted, _counts = Token.objects.filter(user=user).delete()
    if not deleted:
        raise UserAdminRefused(_("The account has no API token."))
    _audit(
        user, AuditAction.PERMISSION_CHANGE, why, [FieldChange("api_token", "issued", "revoked")]
    )
    return deleted
