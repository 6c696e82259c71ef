"""What a page costs the server, by behaviour rather than by the clock: journeys are kept under
the data stamp and recomputed after any committed change (never served stale), the session is
not written on every request, and the user's roles are read once per request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.journey import enrolled, with_baseline
from trial.audit.recorder import record
from trial.models import Participant, User
from trial.models.audit import AuditAction
from trial.schedule.timeline import VisitState
from trial.selectors import journeys as journeys_module
from trial.selectors.data_version import data_version
from trial.selectors.journeys import journeys


def _baseline_state(user: object, participant: Participant) -> VisitState:
    rows = journeys(user, Participant.objects.filter(pk=participant.pk), timezone.localdate())
    return rows[0].visit("baseline").state


@pytest.mark.django_db(transaction=True)
def test_journeys_are_kept_until_committed_data_changes() -> None:
    journeys_module._facts_cache.clear()
    coordinator = User.objects.create_user("coord-cache", password="not-a-real-password-1")
    participant = enrolled(coordinator, consent_on=timezone.localdate() - dt.timedelta(days=2))
    first = _baseline_state(coordinator, participant)
    assert first is not VisitState.DONE
    with CaptureQueriesContext(connection) as again:
        assert _baseline_state(coordinator, participant) is first
    with CaptureQueriesContext(connection) as computed:
        journeys_module._facts_cache.clear()
        _baseline_state(coordinator, participant)
    assert len(again) < len(computed)  # the second request read the kept journeys
    stamp = data_version()
    # An event that changes no data (a view of identifying data) keeps the stamp...
    record(AuditAction.VIEW_SENSITIVE, object_type="trial.Participant", object_id=participant.pk)
    assert data_version() == stamp
    # ... a committed change to the data moves it, and the next request sees the change.
    with_baseline(participant, coordinator, 12, timezone.localdate())
    assert data_version() != stamp
    assert _baseline_state(coordinator, participant) is VisitState.DONE


@pytest.mark.django_db
def test_nothing_read_inside_a_transaction_is_kept() -> None:
    assert connection.in_atomic_block  # the test's own transaction, rolled back at its end
    assert data_version() is None
    with transaction.atomic():
        assert data_version() is None


def _session_write(sql: str) -> bool:
    return sql.startswith("UPDATE") and "django_session" in sql


def test_a_second_page_within_the_touch_interval_does_not_write_the_session(
    client_for, settings
) -> None:
    client = client_for("monitor")
    client.get("/home/monitor/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/home/monitor/").status_code == 200
    assert not any(_session_write(q["sql"]) for q in queries)
    settings.SESSION_TOUCH_SECONDS = 0  # the interval has passed: the expiry moves on
    before = client.session.get_expiry_date()
    with CaptureQueriesContext(connection) as queries:
        client.get("/home/monitor/")
    assert any(_session_write(q["sql"]) for q in queries)
    assert client.session.get_expiry_date() >= before


def test_a_page_reads_the_users_roles_once(client_for) -> None:
    client = client_for("data_manager")
    client.get("/home/data-manager/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/home/data-manager/").status_code == 200
    role_reads = [q for q in queries if q["sql"].startswith('SELECT "auth_group"."id"')]
    assert len(role_reads) == 1  # the group permissions' own query is Django's, once


def test_a_grid_decides_each_link_kind_once_per_request(client_for, monkeypatch) -> None:
    """The record status grid links a thousand forms; whether this reader may open a page is
    decided once per URL name (its view and policy), not once per link."""
    import trial.handlers

    resolved: list[str] = []
    real = trial.handlers.resolve

    def counting(path: str) -> object:
        resolved.append(path)
        return real(path)

    monkeypatch.setattr(trial.handlers, "resolve", counting)
    page = client_for("data_manager").get("/record-status/")
    assert page.status_code == 200
    links = page.content.decode().count('class="form-state')
    assert links > 40  # the grid has many form cells ...
    assert len(resolved) <= 6, resolved  # ... and one decision per kind of link (5 here)
