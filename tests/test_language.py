"""The language is kept with the account: chosen once, it holds after logging in again on
another device (a new browser without the language cookie)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_chosen_language_follows_the_account(role_users: dict, client_for) -> None:
    coordinator = client_for("coordinator")
    response = coordinator.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    user = role_users["coordinator"]
    user.refresh_from_db()
    assert user.language == "fr"

    elsewhere = Client()  # another device: no language cookie, an English browser
    elsewhere.post("/login/", {"username": user.username, "password": DEMO_PASSWORD})
    home = elsewhere.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in home
    assert "Dû cette semaine, en retard et manquant" in home  # the worklist heading

    coordinator.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert "Due this week, overdue and missing" in elsewhere.get("/", follow=True).content.decode()


def test_an_unknown_language_changes_nothing(role_users: dict, client_for) -> None:
    client_for("monitor").post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user = role_users["monitor"]
    user.refresh_from_db()
    assert user.language == ""
    assert Client().post("/i18n/setlang/", {"language": "fr"}).status_code == 302  # anonymous


def test_the_set_password_mail_is_in_the_recipients_language(
    client_for, role_users, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    target = role_users["therapist"]
    target.language = "fr"
    target.save(update_fields=["language"])
    manager = client_for("data_manager")  # writes in English
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/users/{target.pk}/", {"action": "reset_password", "reason": "forgotten"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Définissez un nouveau mot de passe pour STRONG-BACK"
    assert mail.outbox[0].body.startswith("Bonjour")


def test_the_consort_diagram_is_drawn_in_the_readers_language(role_users, client_for) -> None:
    pi = client_for("pi")
    english = pi.get("/consort/diagram.svg").content.decode()
    assert "Assessed for eligibility" in english
    user = role_users["pi"]
    user.language = "fr"
    user.save(update_fields=["language"])
    french = pi.get("/consort/diagram.svg").content.decode()
    assert "Évalués pour l\u2019admissibilité" in french and "Assessed for" not in french
    for arm in ("Contrôle moteur + extension lombaire isolée", "Allocation", "Analyse"):
        assert arm in french


def test_a_saved_date_shows_in_its_picker_on_a_french_page(role_users, client_for) -> None:
    """A French page must still fill a date picker with an ISO date (26/11/2026 would be
    dropped by the browser and the saved date would look empty)."""
    from outcomes.models import InstrumentResponse

    saved = InstrumentResponse.objects.filter(instrument="sf12").first()
    user = role_users["assessor"]
    user.language = "fr"
    user.save(update_fields=["language"])
    url = f"/participants/{saved.participant.study_id}/visits/{saved.visit_code}/instruments/sf12/"
    page = client_for("assessor").get(url).content.decode()
    assert f'value="{saved.completed_on.isoformat()}"' in page
    assert "Rempli le" in page


def test_an_export_reads_the_same_whatever_the_language_of_who_exports(role_users) -> None:
    """Codebook labels (visit and form names) stay English, so the file and its SHA-256 do not
    depend on the exporter's language."""
    from django.utils import translation

    from outcomes.exports.services import csv_bytes, start
    from outcomes.exports.variables import ExportOptions

    manager = role_users["data_manager"]

    def codebook(language: str) -> bytes:
        with translation.override(language):
            return b"".join(csv_bytes(start(manager, "codebook", ExportOptions())))

    english, french = codebook("en"), codebook("fr")
    assert english == french and english.startswith(b"column,visit,variable,label")
