"""User administration through the pages: create with a one-time set-password link, role change,
deactivate, unlock, password reset, API tokens; every action audited with its reason, never on
one's own account, and only for the data manager and the PI."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.conftest import DEMO_PASSWORD
from trial.models import AuditEntry, User
from trial.models.audit import AuditAction

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-new-passphrase-71"


def _link(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/account/set-password/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _create(client: Client, username: str = "newcoord", role: str = "coordinator") -> User:
    response = client.post(
        "/users/new/",
        {
            "username": username,
            "first_name": "Nadia",
            "last_name": "Roy",
            "email": f"{username}@example.org",
            "role": role,
            "reason": "joined the team",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=username)


def test_data_manager_creates_a_user_who_sets_a_password_from_the_link(
    client_for, django_capture_on_commit_callbacks
) -> None:
    dm = client_for("data_manager")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the link is sent after commit
        user = _create(dm)
    assert not user.has_usable_password()
    assert [g.name for g in user.groups.all()] == ["coordinator"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newcoord@example.org"]
    link = _link(mail.outbox[0])

    person = Client()
    form_url = person.get(link).url  # Django swaps the token for a session marker
    response = person.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/login/"
    assert (
        person.post("/login/", {"username": "newcoord", "password": NEW_PASSWORD}).status_code
        == 302
    )
    assert person.get("/home/coordinator/").status_code == 200
    # The link works once.
    again = Client().get(link, follow=True).content.decode()
    assert 'data-testid="link-invalid"' in again

    created = AuditEntry.objects.filter(object_type="trial.User", object_id=str(user.pk))
    assert created.filter(action=AuditAction.CREATE, field="role", new_value="coordinator").exists()
    assert created.filter(action=AuditAction.CREATE, reason="joined the team").exists()


def test_deactivation_ends_the_session_and_is_audited(client_for) -> None:
    dm = client_for("data_manager")
    user = _create(dm, "leaver")
    user.set_password(NEW_PASSWORD)
    user.save()
    person = Client()
    assert (
        person.post("/login/", {"username": "leaver", "password": NEW_PASSWORD}).status_code == 302
    )
    assert person.get("/home/coordinator/").status_code == 200

    refused = dm.post(f"/users/{user.pk}/", {"action": "deactivate", "reason": ""}, follow=True)
    assert "Say why" in refused.content.decode()
    user.refresh_from_db()
    assert user.is_active

    dm.post(f"/users/{user.pk}/", {"action": "deactivate", "reason": "left the trial"})
    user.refresh_from_db()
    assert not user.is_active
    assert person.get("/home/coordinator/").status_code == 302  # back to the login page
    assert (
        person.post("/login/", {"username": "leaver", "password": NEW_PASSWORD}).status_code == 200
    )
    assert AuditEntry.objects.filter(
        object_id=str(user.pk), field="is_active", new_value="False", reason="left the trial"
    ).exists()
    assert User.objects.filter(pk=user.pk).exists()  # never deleted


def test_no_one_administers_their_own_account(client_for, role_users) -> None:
    pi = client_for("pi")
    me = role_users["pi"]
    page = pi.get(f"/users/{me.pk}/").content.decode()
    assert "No one administers their own account" in page
    assert 'name="action"' not in page
    pi.post(f"/users/{me.pk}/", {"action": "deactivate", "reason": "test"})
    me.refresh_from_db()
    assert me.is_active


def test_unlock_clears_a_lockout(client_for, role_users, settings) -> None:
    from trial.services.accounts import is_locked_out

    victim = role_users["assessor"]
    outsider = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        outsider.post("/login/", {"username": victim.username, "password": "wrong"})
    assert is_locked_out(victim.username)
    dm = client_for("data_manager")
    assert "locked out" in dm.get(f"/users/{victim.pk}/").content.decode()
    dm.post(f"/users/{victim.pk}/", {"action": "unlock", "reason": "called the help desk"})
    assert not is_locked_out(victim.username)
    assert (
        Client()
        .post("/login/", {"username": victim.username, "password": DEMO_PASSWORD})
        .status_code
        == 302
    )
    assert AuditEntry.objects.filter(action=AuditAction.UNLOCK, object_id=str(victim.pk)).exists()


def test_role_change_password_reset_and_tokens(
    client_for, role_users, django_capture_on_commit_callbacks
) -> None:
    dm = client_for("data_manager")
    target = role_users["monitor"]
    dm.post(f"/users/{target.pk}/", {"action": "role", "role": "assessor", "reason": "new job"})
    assert [g.name for g in User.objects.get(pk=target.pk).groups.all()] == ["assessor"]

    page = dm.post(f"/users/{target.pk}/", {"action": "issue_token", "reason": "REDCap bridge"})
    key = page.content.decode().split('data-testid="new-token" class="user-select-all">')[1][:40]
    assert Token.objects.get(user=target).key == key
    assert page["Cache-Control"] == "no-store"
    dm.post(f"/users/{target.pk}/", {"action": "revoke_token", "reason": "bridge retired"})
    assert not Token.objects.filter(user=target).exists()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dm.post(f"/users/{target.pk}/", {"action": "reset_password", "reason": "shared by mistake"})
    target.refresh_from_db()
    assert not target.has_usable_password()
    assert len(mail.outbox) == 1 and "/account/set-password/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "role", ["coordinator", "therapist", "assessor", "statistician", "monitor"]
)
def test_only_data_manager_and_pi_administer_users(client_for, role: str) -> None:
    client = client_for(role)
    assert client.get("/users/").status_code == 403
    assert client.post("/users/new/", {"username": "x"}).status_code == 403


def test_the_pi_may_unblind_a_coordinator_and_no_one_else(client_for, role_users) -> None:
    """The design's unblinded flag: the PI grants a coordinator the arm (audited, reason); the
    data manager cannot, an assessor cannot receive it, and removing it blinds again."""
    from randomization.selectors import may_see_arm

    pi, dm = client_for("pi"), client_for("data_manager")
    coordinator, assessor = role_users["coordinator"], role_users["assessor"]
    assert not may_see_arm(coordinator)
    assert "Grant the unblinded flag" not in dm.get(f"/users/{coordinator.pk}/").content.decode()
    dm.post(f"/users/{coordinator.pk}/", {"action": "unblind", "reason": "x"})
    assert not may_see_arm(User.objects.get(pk=coordinator.pk))
    refused = pi.post(f"/users/{assessor.pk}/", {"action": "unblind", "reason": "x"}, follow=True)
    assert "keeps this role blinded" in refused.content.decode()
    assert not may_see_arm(User.objects.get(pk=assessor.pk))

    assert "Grant the unblinded flag" in pi.get(f"/users/{coordinator.pk}/").content.decode()
    pi.post(f"/users/{coordinator.pk}/", {"action": "unblind", "reason": "runs the sessions too"})
    assert may_see_arm(User.objects.get(pk=coordinator.pk))
    assert AuditEntry.objects.filter(
        object_id=str(coordinator.pk), field="unblinded_flag", new_value="True",
        reason="runs the sessions too",
    ).exists()  # fmt: skip
    pi.post(f"/users/{coordinator.pk}/", {"action": "blind", "reason": "back to assessments"})
    assert not may_see_arm(User.objects.get(pk=coordinator.pk))


def test_a_user_name_is_never_given_twice_and_accounts_are_never_deleted(
    client_for, role_users
) -> None:
    """21 CFR 11.100: a signature's owner is unique and never reassigned."""
    dm = client_for("data_manager")
    taken = role_users["assessor"].username.upper()  # case does not make a new name
    page = dm.post(
        "/users/new/",
        {"username": taken, "first_name": "A", "last_name": "B", "email": "a@example.org",
         "role": "assessor", "reason": "second assessor"},
    ).content.decode()  # fmt: skip
    assert "That user name is taken" in page
    assert User.objects.filter(username__iexact=taken).count() == 1
    with pytest.raises(PermissionError):
        role_users["assessor"].delete()
