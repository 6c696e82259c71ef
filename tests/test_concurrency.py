"""Randomisation under real concurrency on PostgreSQL: threads with their own connections start
at the same instant (a barrier) and commit for real (transactional test)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from randomization.importing import import_list
from randomization.listfile import to_csv
from randomization.models import AllocationSlot, Environment
from randomization.sequence import generate
from randomization.services import randomise
from tests.journey import TODAY, enrolled, with_baseline
from trial.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(calls: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run every call in its own thread, all released together; collect results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.fixture
def high_stratum_list(role_users: dict) -> None:
    rows = generate(["LSIQ_HIGH", "LSIQ_LOW"], ["MC_ILEX", "FREE_WEIGHT"], [2, 4, 6], 60, "conc")
    import_list(to_csv(rows), "concurrency", Environment.TEST, role_users["statistician"])


def test_50_participants_at_once_get_50_different_slots_in_list_order(
    role_users: dict, high_stratum_list: None
) -> None:
    assert connection.vendor == "postgresql"
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    people = [with_baseline(enrolled(coordinator), coordinator, 12, TODAY) for _ in range(50)]
    results, errors = _at_once(
        [lambda p=p: randomise(p, therapist, environment=Environment.TEST).pk for p in people]
    )
    assert errors == []
    slots = AllocationSlot.objects.filter(
        allocation_list__environment="test", stratum="LSIQ_HIGH", participant__isnull=False
    )
    assert sorted(results) == sorted(slots.values_list("pk", flat=True))
    assert len(set(results)) == 50
    assert sorted(slots.values_list("position", flat=True)) == list(range(1, 51))
    assert (
        Participant.objects.filter(
            pk__in=[p.pk for p in people], randomization_stratum="LSIQ_HIGH"
        ).count()
        == 50
    )


def test_10_requests_for_one_participant_make_exactly_one_allocation(
    role_users: dict, high_stratum_list: None
) -> None:
    coordinator, therapist = role_users["coordinator"], role_users["therapist"]
    person = with_baseline(enrolled(coordinator), coordinator, 3, TODAY)
    results, errors = _at_once(
        [lambda: randomise(person, therapist, environment=Environment.TEST).pk for _ in range(10)]
    )
    assert errors == []
    assert len(set(results)) == 1
    assert AllocationSlot.objects.filter(participant=person).count() == 1
    assert AllocationSlot.objects.get(participant=person).position == 1
