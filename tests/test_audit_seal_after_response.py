"""Inside a web request the audit seal runs after the response is sent, not before it: the user's
answer does not wait for the hashing, and the rows are sealed into an intact chain once the
server closes the response. Outside a request (tasks, commands) each commit still seals."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tests.audit_helpers import chain_intact, screen
from trial.audit.middleware import SealAfterResponseMiddleware
from trial.audit.sequencer import seal_deferred, seal_pending
from trial.models import AuditEntry, ScreeningEntry

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the seal is a commit hook


def _rows_of(entry: ScreeningEntry) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type="trial.ScreeningEntry", object_id=str(entry.pk))


def test_the_response_is_answered_before_the_seal_and_closing_it_seals() -> None:
    seal_pending()
    written: list[ScreeningEntry] = []

    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():  # two commits in one request: one seal after the response
            written.append(screen(50))
        written.append(screen(51))
        return HttpResponse("saved")

    response = SealAfterResponseMiddleware(view)(RequestFactory().post("/"))
    rows = [_rows_of(entry) for entry in written]
    assert response.content == b"saved"
    assert all(r.exists() and not r.filter(seq__isnull=False).exists() for r in rows)
    response.close()  # what the server does once the body is written
    assert all(not r.filter(seq__isnull=True).exists() for r in rows)
    assert chain_intact() and seal_pending() == 0


def test_a_request_that_writes_nothing_audited_leaves_no_seal_to_run() -> None:
    response = SealAfterResponseMiddleware(lambda request: HttpResponse("read"))(
        RequestFactory().get("/")
    )
    assert not response._resource_closers


def test_through_the_whole_stack_the_rows_are_sealed_when_the_client_has_the_answer(
    client_for,
) -> None:
    seal_pending()
    client = client_for("coordinator")
    data = {"screened_on": "2026-03-02", "source": "clinic", "age": "44", "language": "en",
            "outcome": "pending"}  # fmt: skip
    assert client.post("/screening/new/", data).status_code == 302
    entry = ScreeningEntry.objects.order_by("-pk").first()
    assert _rows_of(entry).exists()
    assert not AuditEntry.objects.filter(seq__isnull=True).exists() and chain_intact()


def test_a_block_that_raises_seals_at_once() -> None:
    seal_pending()
    with pytest.raises(RuntimeError), seal_deferred() as deferred:
        entry = screen(60)
        assert deferred.due and not _rows_of(entry).filter(seq__isnull=False).exists()
        raise RuntimeError("the view failed after its write")
    assert not deferred.due and not _rows_of(entry).filter(seq__isnull=True).exists()


def test_outside_a_request_each_commit_seals() -> None:
    seal_pending()
    entry = screen(62)
    assert _rows_of(entry).exists() and not _rows_of(entry).filter(seq__isnull=True).exists()


def test_a_failed_seal_after_the_response_is_logged_and_caught_up(monkeypatch, caplog) -> None:
    import trial.audit.sequencer as sequencer

    seal_pending()
    real = sequencer._seal_batch

    def broken() -> int:
        raise RuntimeError("sequencer unavailable")

    monkeypatch.setattr(sequencer, "_seal_batch", broken)
    response = SealAfterResponseMiddleware(lambda request: (screen(64), HttpResponse())[1])(
        RequestFactory().post("/")
    )
    response.close()  # the answer is out; the failure is logged, not raised
    assert "audit seal after the response failed" in caplog.text
    monkeypatch.setattr(sequencer, "_seal_batch", real)
    assert seal_pending() > 0 and chain_intact()  # the next seal (beat task, any commit)
