"""Questionnaire entry through the services: soft checks ask, hard checks refuse and lose
nothing, the primary outcome is double-entered, and rescoring keeps the old scores in history."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from outcomes.exceptions import EntryRefused, NeedsConfirmation
from outcomes.instruments import InvalidResponse, odi, promis29
from outcomes.instruments.double_entry import enter_second
from outcomes.instruments.services import rescore, save_instrument_response
from outcomes.models import InstrumentResponse, Verification
from tests.journey import TODAY, enrolled, lock_waiving_everything
from trial.audit.exceptions import ReasonRequired
from trial.models import AuditEntry, User
from trial.models.queries import DataQuery, QueryOrigin, QueryStatus

pytestmark = pytest.mark.django_db
ODI = dict(zip(odi.ITEMS, [2, 1, 3, 2, 2, 1, 0, None, 2, 1], strict=True))


@pytest.fixture
def second_assessor(role_users: dict) -> User:
    user = User.objects.create_user("assessor-2", password="another-long-password-7")
    user.groups.add(Group.objects.get(name="assessor"))
    return user


@pytest.fixture
def person(role_users: dict):
    return enrolled(role_users["coordinator"])


def save(person, user, instrument="odi", answers=None, visit="baseline", **kwargs):
    return save_instrument_response(
        person, visit, instrument, answers or ODI, TODAY, user, **kwargs
    )


def test_unanswered_items_ask_for_confirmation_and_save_nothing(person, role_users) -> None:
    with pytest.raises(NeedsConfirmation, match="odi_08"):
        save(person, role_users["assessor"])
    assert not InstrumentResponse.objects.filter(participant=person).exists()
    saved = save(person, role_users["assessor"], confirmed=True)
    assert saved.missing_items == ["odi_08"] and saved.scoring_version == "odi-2.1a"
    assert saved.total == pytest.approx(100 * 14 / 45)
    assert saved.verification == Verification.PENDING  # the primary outcome


def test_ipaq_soft_check_asks_and_confirmation_saves(person, role_users) -> None:
    answers = {
        "vig_days": 2,
        "vig_minutes": 0,
        "mod_days": 0,
        "mod_minutes": 0,
        "walk_days": 5,
        "walk_minutes": 40,
        "sit_minutes": 420,
    }
    with pytest.raises(NeedsConfirmation, match="2 days with 0 or no minutes"):
        save(person, role_users["coordinator"], "ipaq_short", answers)
    saved = save(person, role_users["coordinator"], "ipaq_short", answers, confirmed=True)
    assert saved.total == pytest.approx(660.0) and saved.subscores["category"] == 2.0
    assert saved.verification == Verification.NOT_REQUIRED


def test_a_hard_check_refuses_and_keeps_what_was_saved(person, role_users) -> None:
    first = save(person, role_users["assessor"], confirmed=True)
    with pytest.raises(InvalidResponse, match="odi_03"):
        save(person, role_users["assessor"], answers={**ODI, "odi_03": 9}, reason="typo")
    first.refresh_from_db()
    assert first.responses["odi_03"] == 3 and first.total == pytest.approx(100 * 14 / 45)


def test_a_correction_needs_a_reason_and_the_old_answer_stays_in_the_trail(
    person, role_users
) -> None:
    save(person, role_users["assessor"], confirmed=True)
    corrected = {**ODI, "odi_08": 1}
    with pytest.raises(ReasonRequired):
        save(person, role_users["assessor"], answers=corrected)
    response = save(person, role_users["assessor"], answers=corrected, reason="sex life answered")
    assert response.total == pytest.approx(30.0)
    trail = AuditEntry.objects.filter(
        object_type="outcomes.InstrumentResponse", object_id=str(response.pk)
    )
    assert trail.filter(field="responses.odi_08", reason="sex life answered").exists()
    assert trail.filter(field="total", old_value__startswith="31.1").exists()


def test_double_entry_that_agrees_verifies(person, role_users, second_assessor) -> None:
    response = save(person, role_users["assessor"], confirmed=True)
    with pytest.raises(EntryRefused, match="someone other"):
        enter_second(response, ODI, role_users["assessor"])
    assert enter_second(response, ODI, second_assessor) == []
    response.refresh_from_db()
    assert response.verification == Verification.VERIFIED
    assert response.second_entered_by == second_assessor
    with pytest.raises(EntryRefused, match="no second entry is awaited"):
        enter_second(response, ODI, second_assessor)


def test_discrepancies_become_queries_and_a_correction_verifies(
    person, role_users, second_assessor
) -> None:
    first = role_users["assessor"]
    response = save(person, first, confirmed=True)
    second = {**ODI, "odi_02": 4, "odi_05": 3}
    queries = enter_second(response, second, second_assessor)
    assert [q.field_name for q in queries] == ["odi_02", "odi_05"]
    assert all(q.origin == QueryOrigin.DOUBLE_ENTRY and q.assigned_to == first for q in queries)
    assert "first entry 1, second entry 4" in queries[0].question
    response.refresh_from_db()
    assert response.verification == Verification.DISCREPANT
    save(person, first, answers=second, reason="checked the paper form", confirmed=True)
    response.refresh_from_db()
    assert response.verification == Verification.VERIFIED


def test_closing_every_discrepancy_query_adjudicates(person, role_users, second_assessor) -> None:
    from outcomes.queries.services import answer_query, close_query

    first = role_users["assessor"]
    response = save(person, first, confirmed=True)
    (query,) = enter_second(response, {**ODI, "odi_01": 5}, second_assessor)
    answer_query(query, "Paper form says 2: the first entry is right.", first)
    close_query(query, "first entry stands", role_users["data_manager"])
    response.refresh_from_db()
    assert response.verification == Verification.ADJUDICATED
    assert response.responses["odi_01"] == 2


def test_correcting_verified_data_needs_a_new_second_entry(
    person, role_users, second_assessor
) -> None:
    response = save(person, role_users["assessor"], confirmed=True)
    enter_second(response, ODI, second_assessor)
    late = {**ODI, "odi_01": 3}
    save(person, role_users["assessor"], answers=late, reason="late", confirmed=True)
    response.refresh_from_db()
    assert response.verification == Verification.PENDING and response.second_entry is None


def test_rescore_restores_the_current_version_and_keeps_old_scores(person, role_users) -> None:
    answers = {key: 3 for key in promis29.ITEMS[:-1]} | {"Global07": 4}
    response = save(person, role_users["assessor"], "promis29", answers)
    right = dict(response.subscores)
    # Scores as an older version would have stored them.
    response.subscores = {**right, "physical_function": 36.9}
    response.scoring_version = "promis29-v2.0-sum-B-prorate-ceil"
    response.save(reason="test: scored by an earlier version")
    out = io.StringIO()
    call_command("rescore", "--instrument", "promis29", stdout=out)
    checked = InstrumentResponse.objects.filter(instrument="promis29").count()
    assert f"promis29: {checked} response(s) checked, 1 rescored." in out.getvalue()
    response.refresh_from_db()
    assert response.subscores == right and response.scoring_version == promis29.VERSION
    trail = AuditEntry.objects.filter(
        object_type="outcomes.InstrumentResponse", object_id=str(response.pk)
    )
    entry = trail.get(field="subscores.physical_function", old_value="36.9")
    assert entry.new_value == "36.7" and entry.reason.startswith("rescored with promis29-v2.0")
    assert rescore("promis29") == (checked, 0)


def test_rescore_refuses_an_unknown_instrument() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown instrument 'oswestry'"):
        call_command("rescore", "--instrument", "oswestry")


def test_query_workflow_is_audited_and_on_the_worklists(person, role_users) -> None:
    from outcomes.exceptions import QueryRefused
    from outcomes.queries.services import answer_query, close_query, raise_query, reopen_query
    from trial.selectors.worklists import ItemKind, coordinator_items

    manager, coordinator = role_users["data_manager"], role_users["coordinator"]
    save(person, coordinator, "nprs", {"nprs": 7})
    with pytest.raises(QueryRefused, match="no field"):
        raise_query(person, "baseline", "nprs", "nprs_typo", "?", manager)
    with pytest.raises(QueryRefused, match="not a queryable form"):
        raise_query(person, "week16", "blinding_guess", "guess", "?", manager)
    with pytest.raises(QueryRefused, match="not a queryable form"):
        raise_query(person, "week16", "lsiq", "lsiq_01", "?", manager)
    query = raise_query(person, "baseline", "nprs", "nprs", "7 while the ODI is low?", manager)
    assert query.assigned_to == coordinator and query.status == QueryStatus.OPEN
    items = coordinator_items(coordinator, TODAY)
    assert any(i.kind is ItemKind.OPEN_QUERY and i.journey.participant == person for i in items)
    with pytest.raises(QueryRefused, match="person who entered"):
        answer_query(query, "fine", role_users["assessor"])
    answer_query(query, "Confirmed with the participant.", coordinator)
    reopen_query(query, "Please say which recall period was used.", manager)
    answer_query(query, "Past 7 days, confirmed.", coordinator)
    with pytest.raises(QueryRefused, match="resolved"):
        close_query(query, " ", manager)
    close_query(query, "value confirmed", manager)
    query.refresh_from_db()
    assert query.status == QueryStatus.CLOSED and query.closed_by == manager
    trail = AuditEntry.objects.filter(object_type="trial.DataQuery", object_id=str(query.pk))
    statuses = trail.filter(field="status").order_by("id").values_list("new_value", flat=True)
    assert list(statuses) == [
        "open",
        "answered",
        "open",
        "answered",
        "closed",
    ]
    assert {"query answered", "query sent back", "query closed"} <= set(
        trail.values_list("reason", flat=True)
    )
    assert not DataQuery.objects.exclude(status=QueryStatus.CLOSED).filter(participant=person)


def test_no_outcome_entry_after_database_lock(person, role_users, second_assessor) -> None:

    response = save(person, role_users["assessor"], confirmed=True)
    lock_waiving_everything(role_users["data_manager"])
    with pytest.raises(EntryRefused, match="locked"):
        save(person, role_users["assessor"], answers={**ODI, "odi_01": 0}, reason="late")
    with pytest.raises(EntryRefused, match="locked"):
        enter_second(response, ODI, second_assessor)
    response.refresh_from_db()
    assert response.responses["odi_01"] == 2
