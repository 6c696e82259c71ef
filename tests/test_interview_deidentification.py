"""De-identification of interview transcripts: proposals from the known identifiers and the
detectors, the reviewer's decisions, approval, and the export that carries only approved text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model

from interviews.deid.engine import propose
from interviews.deid.known import KnownPerson
from interviews.deid.names import french_entity_proposals
from interviews.deid.proposals import apply
from interviews.models import Decision
from interviews.services.transcripts import (
    ReviewRefused,
    add_manual_redaction,
    add_transcript,
    approve,
    decide,
)
from interviews.transcript_files import TranscriptFileError, read_transcript
from tests.interview_helpers import docx_bytes, pre_interview

# The scripted interview: each planted identifier is listed below it.
SCRIPT = """Interviewer: Thanks for coming in today, Robert. How has your back been?
Participant: Not bad. Everybody calls me Bobby, by the way. The pain started when I was lifting \
boxes at the warehouse in Sherbrooke.
Participant: My physiotherapist, Nadia Okafor, showed me the exercises at the clinic.
Participant: My neighbour Gregory Vasquez walks with me on Sundays.
Participant: You can call me on 514-555-0172 or write to robert.tremblay@example.com.
Participant: I live at 4521 rue Saint-Denis, Montreal, H2J 2L1.
Participant: It got worse on March 3, 2019, after I moved the fridge.
Participant: My grandmother is 92 years old and still does her stretching every morning.
Participant: The exercises on the machine made my back feel stronger, and the pain went down \
after six weeks of training. Sitting at work is easier now."""
PLANTED = (
    "Robert",
    "Bobby",
    "Sherbrooke",
    "Nadia Okafor",
    "Gregory Vasquez",
    "514-555-0172",
    "robert.tremblay@example.com",
    "4521 rue Saint-Denis",
    "Montreal",
    "H2J 2L1",
    "March 3, 2019",
    "92 years old",
)
CLINICAL_WORDS = (
    "pain", "lifting", "boxes", "exercises", "machine", "back", "stronger", "six weeks",
    "training", "stretching", "Sitting at work is easier now", "physiotherapist", "worse",
)  # fmt: skip
IDENTITY = {
    "first_name": "Robert",
    "last_name": "Tremblay",
    "email": "robert.tremblay@example.com",
    "phone": "+1 514 555 0172",
    "address": "4521 rue Saint-Denis, Montréal QC H2J 2L1",
}


def _covered(planted: str, spans: list[tuple[int, int]]) -> bool:
    start = SCRIPT.index(planted)
    return any(s <= start and start + len(planted) <= e for s, e in spans)


def test_recall_of_planted_identifiers_without_the_database() -> None:
    person = KnownPerson(**IDENTITY, date_of_birth=dt.date(1980, 5, 17))
    proposals = propose(SCRIPT, person, [("Nadia", "Okafor")])
    spans = [(p.start, p.end) for p in proposals]
    missed = [planted for planted in PLANTED if not _covered(planted, spans)]
    recall = 1 - len(missed) / len(PLANTED)
    assert recall >= 0.95, f"recall {recall:.2f}, missed {missed}"
    text = apply(SCRIPT, proposals)
    assert [w for w in CLINICAL_WORDS if w not in text] == []
    assert "[STAFF]" in text and "[AGE 90+]" in text and "[DATE: 2019]" in text


@pytest.mark.django_db
def test_review_approve_and_export_carry_no_planted_identifier(role_users, client_for) -> None:
    staff = get_user_model().objects.create_user("nokafor", first_name="Nadia", last_name="Okafor")
    assert staff.pk
    interview = pre_interview(role_users, **IDENTITY)
    researcher = role_users["qualitative_researcher"]
    data = docx_bytes(SCRIPT.split("\n"))
    transcript = add_transcript(interview, "interview.docx", data, "en", researcher)
    redactions = list(transcript.redactions.all())
    assert {r.source for r in redactions} >= {"participant's name", "nickname", "staff name"}
    with pytest.raises(ReviewRefused, match="still need a decision"):
        approve(transcript, researcher)
    decide(transcript, {r.pk: Decision.ACCEPTED for r in redactions}, researcher)
    with pytest.raises(ReviewRefused, match="not in the transcript"):
        add_manual_redaction(transcript, "Atlantis", "place", researcher)
    approve(transcript, researcher)
    with pytest.raises(ReviewRefused, match="approved"):
        decide(transcript, {redactions[0].pk: Decision.REJECTED}, researcher)

    response = client_for("qualitative_researcher").get("/interviews/export/transcripts.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    study_id = interview.invitation.participant.study_id
    name = f"{study_id}_pre_interview.txt"
    exported = archive.read(name).decode()
    leaked = [p for p in PLANTED if p.lower() in exported.lower()]
    assert leaked == []
    assert [w for w in CLINICAL_WORDS if w not in exported] == []
    index = {
        row["study_id"]: row
        for row in csv.DictReader(io.StringIO(archive.read("index.csv").decode()))
    }
    row = index[study_id]
    assert (row["timepoint"], row["mode"], row["duration_minutes"]) == (
        "pre_interview",
        "video",
        "38",
    )
    assert row["guide_version"] == interview.guide.version and row["file"] == name
    assert int(row["word_count"]) == len(exported.split())


@pytest.mark.django_db
def test_versions_are_kept_and_only_the_approved_text_is_exported(role_users) -> None:
    interview = pre_interview(role_users, **IDENTITY)
    researcher = role_users["qualitative_researcher"]
    first = add_transcript(interview, "a.txt", b"Robert said the pain was bad.", "en", researcher)
    second = add_transcript(
        interview, "b.txt", b"Robert said the pain was worse.", "en", researcher
    )
    assert (first.version, second.version) == (1, 2)
    from interviews.services.export import approved_transcripts

    assert interview not in [t.interview for t in approved_transcripts()]
    decide(second, {r.pk: Decision.ACCEPTED for r in second.redactions.all()}, researcher)
    approve(second, researcher)
    second.refresh_from_db()
    assert second.deidentified_text == "[PARTICIPANT] said the pain was worse."
    assert first.text == "Robert said the pain was bad."  # kept, encrypted at rest
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM interviews_transcript WHERE id = %s", [first.pk])
        assert "Robert" not in cursor.fetchone()[0]


def test_transcript_files_of_each_format() -> None:
    assert read_transcript("a.txt", b"Interviewer: Bonjour\nParticipant: Oui") == (
        "Interviewer: Bonjour\nParticipant: Oui"
    )
    assert read_transcript("a.docx", docx_bytes(["Line one", "Line two"])) == "Line one\nLine two"
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Participant>My back hurts\n"
    assert read_transcript("a.vtt", vtt) == "Participant: My back hurts"
    srt = b"1\n00:00:01,000 --> 00:00:04,000\nIt got better\n"
    assert read_transcript("a.srt", srt) == "It got better"
    for name, data, message in (
        ("a.txt", b"caf\xe9", "not UTF-8"),
        ("a.docx", b"not a zip", "not a Word"),
        ("a.vtt", b"no header here", "not a valid .vtt"),
        ("a.pdf", b"%PDF", "not a transcript format"),
        ("a.txt", b"   ", "empty"),
    ):
        with pytest.raises(TranscriptFileError, match=message):
            read_transcript(name, data)


def test_french_transcripts_use_the_french_entity_model() -> None:
    text = (
        "Mon amie Josée Bélanger m'a conduite à Trois-Rivières hier. "
        "Le docteur Martin Gagnon travaille à Longueuil."
    )
    entities = {p.text: p.category for p in french_entity_proposals(text)}
    assert entities["Martin Gagnon"] == "person" and entities["Longueuil"] == "place"
    redacted = apply(text, propose(text, KnownPerson("Anne", "Roy"), [], "fr"))
    assert redacted == (
        "Mon amie [PERSON] m'a conduite à [PLACE] hier. Le docteur [PERSON] travaille à [PLACE]."
    )


@pytest.mark.django_db
def test_a_reviewer_redacts_what_the_detectors_missed_everywhere(role_users) -> None:
    interview = pre_interview(role_users, **IDENTITY)
    researcher = role_users["qualitative_researcher"]
    text = b"my friend jean drives me; jean waits outside. The pain is lower."
    transcript = add_transcript(interview, "t.txt", text, "en", researcher)
    assert "jean" not in {r.text for r in transcript.redactions.all()}  # lower case: missed
    assert add_manual_redaction(transcript, "jean", "person", researcher) == 2
    decide(transcript, {r.pk: Decision.ACCEPTED for r in transcript.redactions.all()}, researcher)
    approve(transcript, researcher)
    transcript.refresh_from_db()
    assert transcript.deidentified_text == (
        "my friend [PERSON] drives me; [PERSON] waits outside. The pain is lower."
    )
