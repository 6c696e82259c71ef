"""Free text from staff who know the arm reaches blinded staff only after a blinding review.

An outside attack found a therapist's adverse-event description ("during the third set of goblet
squats; deadlift load halved") shown as typed to the coordinator, data manager and monitor on the
participant page, the AE page, the audit page and CSV, and the identified AE export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from trial.models import AdverseEvent, AuditEntry, Participant, TextReview

pytestmark = pytest.mark.django_db
TEXT = "during the third set of goblet squats; deadlift load halved"
BLINDED = "during a training set; load halved"
SECRETS = ("goblet", "squat", "deadlift")
BLIND_READERS = ("coordinator", "data_manager", "monitor", "assessor")


def _leaks(body: str) -> list[str]:
    return [word for word in SECRETS if word in body.lower()]


def _ae_form(**overrides: str) -> dict[str, str]:
    return {"onset_on": "2026-11-20", "description": TEXT, "severity": "mild",
            "relatedness": "possible", "action_taken": "none", "outcome": "recovered",
            "resolved_on": "2026-11-22", **overrides}  # fmt: skip


def _pages(client: Client, participant: Participant, event: AdverseEvent) -> dict[str, str]:
    pages = {
        "participant": client.get(f"/participants/{participant.study_id}/"),
        "audit": client.get("/audit/"),
        "audit csv": client.get("/audit/?format=csv"),
        "ae": client.get(f"/participants/{participant.study_id}/adverse-events/{event.pk}/"),
        "home": client.get("/"),
    }
    out = {}
    for name, response in pages.items():
        if response.status_code != 200:
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content
        out[name] = content.decode()
    export = client.post("/exports/", {"dataset": "adverse_events", "identified": "on"})
    if export.status_code == 200 and export.get("Content-Type") == "text/csv":
        out["export"] = b"".join(export.streaming_content).decode()
    return out


def test_an_unblinding_description_is_warned_held_and_reviewed(
    role_users: dict, client_for: Callable
) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    therapist = client_for("therapist")
    url = f"/participants/{participant.study_id}/adverse-events/new/"
    warned = therapist.post(url, _ae_form()).content.decode()
    assert "may tell blinded staff the arm" in warned and "Goblet squat" in warned
    assert (
        "deadlift" in warned.lower() and not AdverseEvent.objects.filter(description=TEXT).exists()
    )
    assert therapist.post(url, _ae_form(save_despite_terms="on")).status_code == 302
    event = AdverseEvent.objects.get(description=TEXT)
    review = TextReview.objects.get(object_type="trial.AdverseEvent", object_id=str(event.pk))
    assert review.status == "pending" and "Goblet squat" in review.flagged_terms

    for role in BLIND_READERS:  # pending: a placeholder, the words nowhere
        for page, body in _pages(client_for(role), participant, event).items():
            assert not _leaks(body), (role, page, _leaks(body))
    body = client_for("coordinator").get(f"/participants/{participant.study_id}/").content
    assert "awaiting blinding review" in body.decode()
    for role in ("therapist", "pi"):  # the treatment team reads what was written
        body = client_for(role).get(f"/participants/{participant.study_id}/").content.decode()
        assert "goblet squats" in body, role

    manager = client_for("data_manager")
    queue = manager.get("/blinding-review/").content.decode()
    assert TEXT in queue  # the reviewer reads the original, and that read is on record
    assert AuditEntry.objects.filter(
        action="view_sensitive", username=role_users["data_manager"].username,
        reason__contains="blinding review",
    ).exists()  # fmt: skip
    still_unblinding = {"review_id": review.pk, "reason": "x", "blinded_text": "a squat set"}
    refused = manager.post("/blinding-review/", still_unblinding, follow=True)
    assert "still names" in refused.content.decode()
    manager.post("/blinding-review/", {"review_id": review.pk, "reason": "exercise names removed",
                                       "blinded_text": BLINDED})  # fmt: skip
    review.refresh_from_db()
    assert review.status == "redacted"
    for role in BLIND_READERS:
        pages = _pages(client_for(role), participant, event)
        for page, body in pages.items():
            assert not _leaks(body), (role, page)
        assert BLINDED in pages["participant"] or role == "assessor", role
    assert AdverseEvent.objects.get(pk=event.pk).description == TEXT  # the original is kept

    # A blinded coordinator editing the event cannot overwrite the text under review.
    coordinator = client_for("coordinator")
    edit = f"/participants/{participant.study_id}/adverse-events/{event.pk}/"
    checked = _ae_form(description="", reason_for_change="resolution date checked")
    response = coordinator.post(edit, checked)
    assert response.status_code == 302
    assert AdverseEvent.objects.get(pk=event.pk).description == TEXT

    # The therapist changes the text: back to review, blinded readers see the placeholder again.
    therapist.post(edit, _ae_form(description=TEXT + " again", save_despite_terms="on",
                                  reason_for_change="detail added"))  # fmt: skip
    review.refresh_from_db()
    assert review.status == "pending"
    body = coordinator.get(f"/participants/{participant.study_id}/").content.decode()
    assert "awaiting blinding review" in body and BLINDED not in body


def test_a_cleared_text_is_shown_as_written(role_users: dict, client_for: Callable) -> None:
    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    client_for("therapist").post(
        f"/participants/{participant.study_id}/adverse-events/new/",
        _ae_form(description="Knee pain after the session", onset_on=str(dt.date(2026, 11, 21))),
    )
    review = TextReview.objects.get(status="pending", object_type="trial.AdverseEvent")
    assert review.flagged_terms == []
    client_for("pi").post("/blinding-review/", {"review_id": review.pk, "reason": "no arm in it"})
    body = client_for("monitor").get(f"/participants/{participant.study_id}/").content.decode()
    assert "Knee pain after the session" in body


def test_a_query_written_by_the_pi_is_reviewed_before_the_coordinator_reads_it(
    role_users: dict, client_for: Callable
) -> None:
    from outcomes.queries.services import raise_query

    participant = Participant.objects.filter(randomized_on__isnull=False).first()
    question = "Deadlift load in session 3 seems wrong: please check the source."
    query = raise_query(participant, "baseline", "odi", "completed_on", question, role_users["pi"])
    review = TextReview.objects.get(object_type="trial.DataQuery", object_id=str(query.pk),
                                    field="question")  # fmt: skip
    assert review.status == "pending" and review.flagged_terms == ["Deadlift"]
    for role in ("coordinator", "data_manager"):
        for url in ("/queries/", f"/participants/{participant.study_id}/"):
            body = client_for(role).get(url).content.decode()
            assert "deadlift" not in body.lower(), (role, url)
    assert "Deadlift load" in client_for("pi").get(f"/participants/{participant.study_id}/"
                                                    ).content.decode()  # fmt: skip
