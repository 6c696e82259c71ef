"""The coordinator's worklist: one row per participant with that person's items, filtered by
kind of work and study ID, 25 people a page (about 270 items at 106 participants)."""

from __future__ import annotations

import re

import pytest

from tests.test_journey_pages import _bulk_participants

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr data-participant="([^"]+)">')
KIND = re.compile(r'<li data-kind="([^"]+)" data-participant="([^"]+)">')


def test_grouped_by_participant_filtered_and_paged(role_users: dict, client_for) -> None:
    _bulk_participants(60, role_users["coordinator"], role_users["therapist"])
    coordinator = client_for("coordinator")
    home = coordinator.get("/home/coordinator/").content.decode()
    rows = ROW.findall(home)
    assert len(rows) == 25 and len(set(rows)) == 25  # one row per person, a page of 25
    items = KIND.findall(home)
    assert len(items) > len(rows)  # several items in a row
    assert all(person in rows for _kind, person in items)
    total = int(re.search(r'data-testid="worklist-count">(\d+) participants', home)[1])
    assert total >= 60
    second = coordinator.get("/home/coordinator/?page=2").content.decode()
    assert not set(ROW.findall(second)) & set(rows)

    only = coordinator.get("/home/coordinator/?kind=open_query").content.decode()
    kinds = {kind for kind, _person in KIND.findall(only)}
    assert kinds == {"open_query"}  # the bulk participants have open queries on their ODI

    person = rows[3]
    one = coordinator.get(f"/home/coordinator/?q={person}").content.decode()
    assert ROW.findall(one) == [person]
    unknown = coordinator.get("/home/coordinator/?kind=bogus").content.decode()
    assert ROW.findall(unknown) == rows  # an unknown kind filters nothing out
