"""A page links only to pages its reader may open: every internal link on the role's home, the
participant page and the MRI pages, followed as that role, answers neither 403 nor 404."""

from __future__ import annotations

import re

import pytest

from trial.models import Participant, TrainingSession
from trial.roles import ROLES

HREF = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = ("/static/", "/logout/", "/i18n/")


def _links(html: str) -> set[str]:
    return {link for link in HREF.findall(html) if not link.startswith(NOT_PAGES)}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role.code for role in ROLES])
def test_links_on_the_participant_page_and_home_open_for_their_reader(
    role: str, role_users: dict, client_for
) -> None:
    client = client_for(role)
    participant = (
        Participant.objects.filter(pk__in=TrainingSession.objects.values("participant"))
        .order_by("pk")
        .first()
    )
    from imaging.models import ImagingStudy
    from strongback.demo.seed import seed_demo_imaging

    seed_demo_imaging(role_users["coordinator"])
    study = ImagingStudy.objects.order_by("pk").first()
    pages = [
        "/",
        f"/participants/{participant.study_id}/",
        f"/participants/{study.participant.study_id}/visits/{study.visit_code}/mri/",
        f"/imaging/{study.pk}/",
    ]
    dead = []
    for page in pages:
        response = client.get(page, follow=True)
        if response.status_code != 200:
            continue  # a role without the participant page is covered by the URL matrix
        for link in sorted(_links(response.content.decode())):
            status = client.get(link).status_code
            if status in (403, 404):
                dead.append((page, link, status))
    assert dead == [], dead


@pytest.mark.django_db
def test_the_import_pages_are_linked_for_those_who_import(role_users: dict, client_for) -> None:
    home = client_for("coordinator").get("/", follow=True).content.decode()
    assert 'href="/imports/dynamo/"' in home and 'href="/imports/mmp/"' in home
    assert 'data-testid="import-links"' not in client_for("therapist").get(
        "/", follow=True).content.decode()  # fmt: skip
