"""The record status page: one state per form, the filters, links only where the reader may go,
and no form a reader may not know of (the LSIQ for the therapist)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from outcomes.instruments import nprs
from outcomes.instruments.services import save_instrument_response
from tests.conftest import DEMO_PASSWORD
from tests.journey import enrolled, with_baseline
from trial.models import DataQuery
from trial.services.record_locks import lock_record
from trial.services.sdv import verify

CELL = re.compile(
    r'data-participant="(?P<sid>[^"]+)"|data-form="(?P<form>[^"]+)" data-state="(?P<state>[^"]+)"'
)


def _states(html: str, visit: str = "baseline") -> dict[str, dict[str, str]]:
    """study ID -> form -> shown state, for one visit's column (the page filtered to it)."""
    found: dict[str, dict[str, str]] = {}
    current = ""
    for match in CELL.finditer(html):
        if match["sid"]:
            current = match["sid"]
            found[current] = {}
        else:
            found[current][match["form"]] = match["state"]
    return found


def _person(role_users: dict):
    coordinator = role_users["coordinator"]
    today = timezone.localdate()
    person = enrolled(coordinator, consent_on=today - dt.timedelta(days=10))
    return with_baseline(person, coordinator, 3, today - dt.timedelta(days=2))


def test_each_state_is_shown_and_filtered(role_users: dict, client_for) -> None:
    person = _person(role_users)
    sid, today = person.study_id, timezone.localdate()
    manager = client_for("data_manager")
    url = f"/record-status/?q={sid}&visit=baseline"

    states = _states(manager.get(url).content.decode())[sid]
    assert states["odi"] == "awaiting_second_entry"  # the primary outcome, entered once
    assert states["lsiq"] == "complete"
    assert states["promis29"] == "not_done"  # marked not done, with a reason, at the visit

    assessor = role_users["assessor"]
    nprs_answers = dict.fromkeys(nprs.ITEMS, 4)
    save_instrument_response(person, "baseline", "nprs", nprs_answers, today, assessor)
    verify(role_users["monitor"], person, "baseline", "nprs")
    verify(role_users["monitor"], person, "baseline", "lsiq")
    DataQuery(
        participant=person, visit_code="baseline", form_code="lsiq", field_name="lsiq_1",
        question="Check item 1 against the paper form.", raised_by=role_users["data_manager"],
    ).save(reason="test: query")  # fmt: skip
    lock_record(role_users["data_manager"], person, "baseline", "medx", "cleaned")
    states = _states(manager.get(url).content.decode())[sid]
    assert states["nprs"] == "verified"
    assert states["lsiq"] == "queried"  # an open query outranks the SDV mark
    assert states["medx"] == "locked"

    # A change after the SDV mark: the mark no longer counts on the grid.
    changed = dict.fromkeys(nprs.ITEMS, 6)
    save_instrument_response(person, "baseline", "nprs", changed, today, assessor,
                             reason="transcription error", confirmed=True)  # fmt: skip
    assert _states(manager.get(url).content.decode())[sid]["nprs"] == "complete"

    pi = client_for("pi")
    pi.post(f"/participants/{sid}/sign-off/", {"visit": "baseline", "password": DEMO_PASSWORD})
    states = _states(manager.get(url).content.decode())[sid]
    assert states["nprs"] == "signed" and states["medx"] == "locked"

    # The state filter keeps the participants with a form in that state, and only them.
    verified = _states(manager.get("/record-status/?state=verified").content.decode())
    assert set(verified) == {sid}
    queried = manager.get("/record-status/?state=queried&form=lsiq").content.decode()
    assert set(_states(queried)) == {sid} and set(_states(queried)[sid]) == {"lsiq"}


def test_filters_and_search(role_users: dict, client_for) -> None:
    person = _person(role_users)
    manager = client_for("data_manager")
    page = manager.get(f"/record-status/?q={person.study_id}").content.decode()
    assert set(_states(page)) == {person.study_id}
    assert 'data-testid="status-count">1 participant<' in page
    awaiting = _states(manager.get("/record-status/?state=awaiting_second_entry").content.decode())
    assert person.study_id in awaiting
    assert all("awaiting_second_entry" in forms.values() for forms in awaiting.values())
    randomised = manager.get("/record-status/?stage=randomised").content.decode()
    assert person.study_id not in _states(randomised)  # baseline done, not randomised
    assert manager.get("/record-status/?state=nonsense&stage=x").status_code == 200


def test_links_only_where_the_reader_may_go_and_no_lsiq_for_the_therapist(
    role_users: dict, client_for
) -> None:
    person = _person(role_users)
    url = f"/record-status/?q={person.study_id}"
    therapist = client_for("therapist").get(url).content.decode()
    assert 'data-form="lsiq"' not in therapist and 'value="lsiq"' not in therapist
    coordinator = client_for("coordinator").get(url).content.decode()
    link = re.search(r'<a href="([^"]+)" class="form-state[^"]*" data-form="lsiq"', coordinator)
    assert link, "the coordinator opens the LSIQ from its icon"
    assert client_for("coordinator").get(link[1]).status_code == 200
    monitor = client_for("monitor").get(url).content.decode()
    for href in re.findall(r'<a href="([^"]+)" class="form-state', monitor):
        assert client_for("monitor").get(href).status_code == 200, href


def test_pages_count_every_participant_and_show_each_once(role_users: dict, client_for) -> None:
    """Without a stage or state filter only the page shown gets its grid; the count and the
    pages still cover everyone, in study ID order, and a state filter still looks at all."""
    from trial.models import Participant

    coordinator = role_users["coordinator"]
    while Participant.objects.count() < 55:
        enrolled(coordinator)
    everyone = list(Participant.objects.order_by("study_id").values_list("study_id", flat=True))
    manager = client_for("data_manager")
    first = manager.get("/record-status/").content.decode()
    second = manager.get("/record-status/?page=2").content.decode()
    shown = list(_states(first)) + list(_states(second))
    assert shown == everyone
    assert f'data-testid="status-count">{len(everyone)} participants<' in first
    not_started = _states(manager.get("/record-status/?state=not_started").content.decode())
    assert not_started and all("not_started" in forms.values() for forms in not_started.values())


def test_grid_links_are_each_participants_own(role_users: dict, client_for) -> None:
    """Links are decided once per visit and form and given each participant's study ID: every
    one equals what the form's handler says for that participant."""
    from trial.handlers import form_link

    total = 0
    for role in ("coordinator", "monitor", "assessor"):
        page = client_for(role).get("/record-status/").content.decode()
        user = role_users[role]
        current, column, checked = "", "", 0
        for match in re.finditer(
            r'data-participant="([^"]+)"|data-visit="([^"]+)"|<a href="([^"]+)" class="form-state'
            r'[^"]*" data-form="([^"]+)"',
            page,
        ):
            sid, visit, href, form = match.groups()
            if sid:
                current = sid
            elif visit:
                column = visit
            else:
                assert href == form_link(user, current, column, form), (role, current, form)
                assert f"/{current}/" in href
                checked += 1
        assert checked > 0, role
        total += checked
    assert total > 30


def test_a_questionnaire_with_unanswered_items_shows_as_incomplete(
    role_users: dict, client_for
) -> None:
    """The grid reads only the responses pending or with missing items: one with an unanswered
    item is incomplete, a fully answered one complete."""
    from outcomes.instruments import DEFINITIONS

    person = _person(role_users)
    today = timezone.localdate()
    items = [item.key for item in DEFINITIONS["sf12"].items]
    answers = {key: sorted(DEFINITIONS["sf12"].items[i].allowed)[0] for i, key in enumerate(items)}
    answers[items[3]] = None
    save_instrument_response(person, "baseline", "sf12", answers, today, role_users["assessor"],
                             confirmed=True)  # fmt: skip
    url = f"/record-status/?q={person.study_id}&visit=baseline"
    states = _states(client_for("data_manager").get(url).content.decode())[person.study_id]
    assert states["sf12"] == "incomplete"
    assert states["lsiq"] == "complete"
    incomplete = client_for("data_manager").get("/record-status/?state=incomplete").content
    assert person.study_id in _states(incomplete.decode())


def test_grid_words_follow_each_readers_language() -> None:
    """The grid's labels are cached for speed, per language: a French page after an English one
    (and the other way round) shows its own words, never the other's cached ones."""
    from django.utils import translation

    from trial.handlers import FormState
    from trial.selectors.record_status import FormCell, VisitCell
    from trial.templatetags.status_grid import status_cell

    form = FormCell("odi", "ODI", FormState.NOT_STARTED, frozenset({FormState.NOT_STARTED}), "")
    cell = VisitCell(visit=None, visit_state="open", forms=(form,))  # type: ignore[arg-type]
    empty = VisitCell(visit=None, visit_state="overdue", forms=())  # type: ignore[arg-type]
    for _ in range(2):
        with translation.override("en"):
            assert "ODI: not started" in status_cell(cell)
            assert "overdue" in status_cell(empty)
        with translation.override("fr"):
            assert "ODI: non commencé" in status_cell(cell)
            assert "not started" not in status_cell(cell)
