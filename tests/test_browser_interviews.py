"""Real Chromium: the coordinator invites, the qualitative researcher records the interview,
uploads audio and a transcript, reviews the redactions, approves, and downloads the export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.interview_helpers import docx_bytes, espeak_wav
from tests.journey import enrolled
from tests.test_browser import log_out
from trial.models import User

pytestmark = pytest.mark.browser
SCRIPT = [
    "Interviewer: Thank you for coming, Marie. What do you expect from the programme?",
    "Participant: I hope to sit through a work day. My sister Claudette drove me from Laval.",
    "Participant: Call me at 514-555-0199 if the time changes.",
]


def log_in(page, username: str) -> None:
    from tests.conftest import DEMO_PASSWORD

    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_test_id("role-home").wait_for()


def test_invite_record_upload_review_approve_export(page, tmp_path, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the speech-to-text draft runs in the request
    today = timezone.localdate()
    participant = enrolled(
        User.objects.get(username="coordinator"), consent_on=today - dt.timedelta(days=10)
    )
    participant.session_1_planned_on = today + dt.timedelta(days=3)
    participant.save(reason="test: session 1 planned")
    study_id = participant.study_id

    log_in(page, "coordinator")
    page.get_by_role("link", name="Interview invitations").first.click()
    page.get_by_label("Study ID").fill(study_id)
    page.get_by_label("Interview").select_option("pre_interview")
    page.get_by_role("button", name="Invite").click()
    page.locator("#id_answer").select_option("accepted")
    page.get_by_label("Answered on").fill(today.isoformat())
    page.get_by_role("button", name="Save the answer").click()
    assert "Answer recorded." in page.locator(".alert").first.inner_text()
    page.get_by_label("Audio recording").select_option("given")
    page.get_by_label("Audio consent form version").fill("1.0")
    page.get_by_label("Signed on").fill(today.isoformat())
    page.get_by_role("button", name="Save the consent").click()
    assert "Audio-recording consent recorded." in page.locator(".alert").first.inner_text()
    log_out(page)

    log_in(page, "qualitativeresearcher")
    page.get_by_role("link", name="Interviews", exact=True).first.click()
    page.get_by_test_id("awaiting-interview").locator("li", has_text=study_id).get_by_role(
        "link", name="Record the interview"
    ).click()
    started = timezone.localtime() - dt.timedelta(hours=1)
    page.get_by_label("Mode").select_option("video")
    page.get_by_label("Started at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    wav = espeak_wav(tmp_path, "I hope the exercises help my back.")
    page.get_by_label("Recording (WAV, MP3 or M4A)").set_input_files(str(wav))
    page.get_by_role("button", name="Upload the recording").click()
    assert "Recording stored, encrypted." in page.locator(".alert").first.inner_text()
    assert page.locator("audio").count() == 1
    transcript = tmp_path / "interview.docx"
    transcript.write_bytes(docx_bytes(SCRIPT))
    page.get_by_label("Transcript (.txt, .docx, .vtt or .srt)").set_input_files(str(transcript))
    page.get_by_role("button", name="Upload the transcript").click()
    rows = page.get_by_test_id("transcripts").locator("tbody tr")
    assert rows.count() == 2  # the speech-to-text draft, then the uploaded transcript
    rows.filter(has_text="interview.docx").get_by_role("link").click()

    proposals = page.get_by_test_id("redaction")
    assert proposals.count() >= 4
    for index in range(proposals.count()):
        proposals.nth(index).locator("select").select_option("accepted")
    preview = page.get_by_test_id("deidentified-preview").inner_text()
    assert "Marie" in preview  # the preview follows saved decisions only
    page.get_by_role("button", name="Save and approve the de-identified transcript").click()
    expect(page.get_by_test_id("transcripts")).to_contain_text("approved")

    page.get_by_role("link", name="Interviews", exact=True).first.click()
    with page.expect_download() as download:
        page.get_by_test_id("transcripts-export").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    text = archive.read(f"{study_id}_pre_interview.txt").decode()
    for identifier in ("Marie", "Claudette", "Laval", "514-555-0199"):
        assert identifier not in text
    assert "I hope to sit through a work day." in text
    assert study_id in archive.read("index.csv").decode()
