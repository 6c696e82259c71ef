"""Deny by default: login required everywhere, and the role x URL matrix enforced."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings

from tests.urlmatrix import concrete_urls, seeded_ids
from trial.roles import ROLES, Role, blinding_conflicts

ALL = frozenset(role.code for role in ROLES)
PUBLIC = {"login", "health", "set_language", "password_set"}

# Which roles may open each page (GET). A page missing here fails test_matrix_covers_every_page.
ROLE_URL_MATRIX: dict[str, frozenset[str]] = {
    "home": ALL,
    "logout": ALL,
    "logout_everywhere": ALL,
    "two_factor_setup": ALL,
    "audit_review": frozenset({"data_manager", "pi", "monitor"}),
    "text_review": frozenset({"data_manager", "pi"}),
    "screening_list": frozenset({"coordinator"}),
    "screening_new": frozenset({"coordinator"}),
    "screening_edit": frozenset({"coordinator"}),
    "eligibility_edit": frozenset({"coordinator"}),
    "screening_mri_safety": frozenset({"coordinator"}),
    "eligibility_override": frozenset({"pi"}),
    "enrol": frozenset({"coordinator"}),
    "participant_list": ALL,
    "record_status": ALL,
    "participant_detail": ALL,
    "consort": ALL,
    "consort_diagram": ALL,
    "identity_edit": frozenset({"coordinator"}),
    "schedule_edit": frozenset({"coordinator"}),
    "consent_edit": frozenset({"coordinator"}),
    "exit_edit": frozenset({"coordinator"}),
    "source_verification": frozenset({"monitor"}),
    "record_locks": frozenset({"data_manager", "pi"}),
    "user_list": frozenset({"data_manager", "pi"}),
    "visit_sign_off": frozenset({"pi"}),
    "randomization:precondition_waivers": frozenset({"pi"}),
    "user_new": frozenset({"data_manager", "pi"}),
    "user_detail": frozenset({"data_manager", "pi"}),
    "sociodemographics_edit": frozenset({"coordinator"}),
    "medical_history_edit": frozenset({"coordinator"}),
    "baseline_mri_safety": frozenset({"coordinator"}),
    "outcomes:instrument_entry": frozenset({"assessor"}),  # baseline ODI: the primary outcome
    "outcomes:instrument_second_entry": frozenset({"assessor"}),
    "outcomes:query_raise": frozenset({"data_manager", "pi"}),
    "outcomes:query_list": frozenset({"coordinator", "assessor", "data_manager", "pi"}),
    "outcomes:query_answer": frozenset({"coordinator", "assessor"}),
    "outcomes:query_close": frozenset({"data_manager", "pi"}),
    "outcomes:query_send_back": frozenset({"data_manager", "pi"}),
    "visit_record": frozenset({"coordinator"}),
    "outcomes:actigraphy": ALL,
    "outcomes:medx_entry": frozenset({"coordinator", "assessor"}),
    "outcomes:import_upload": frozenset({"coordinator"}),
    "outcomes:import_layouts": frozenset({"coordinator"}),
    "outcomes:import_preview": frozenset({"coordinator"}),
    "outcomes:app_code_issue": frozenset({"coordinator"}),
    "imaging:imaging_visit": ALL,
    "imaging:imaging_worklist": frozenset({"assessor"}),
    "imaging:imaging_study": frozenset({"coordinator", "assessor"}),
    "imaging:imaging_status": frozenset({"coordinator", "assessor"}),
    "imaging:imaging_choose_series": frozenset({"assessor"}),
    "imaging:imaging_rerun": frozenset({"assessor"}),
    "imaging:imaging_levels": frozenset({"assessor"}),
    "imaging:imaging_slice": frozenset({"assessor"}),
    "imaging:imaging_review": frozenset({"assessor"}),
    "imaging:imaging_overlay": frozenset({"assessor"}),
    "imaging:imaging_decide": frozenset({"assessor"}),
    "imaging:imaging_correct": frozenset({"assessor"}),
    "randomization:randomise": frozenset({"therapist"}),
    "session_log": frozenset({"therapist"}),
    "ae_new": frozenset({"coordinator", "therapist"}),
    "ae_edit": frozenset({"coordinator", "therapist"}),
    "ae_acknowledge": frozenset({"pi"}),
    "randomization:allocation_lists": frozenset({"statistician"}),
    "api_participants": ALL,
    "api_participant": ALL,
    "api_randomise": frozenset({"therapist"}),
    "api_visits": ALL,
    "api_forms": ALL,
    "api_scores": ALL,
    "api_imaging_metrics": ALL,
    "api_schema": ALL,
    "randomization:unblinding_decisions": frozenset({"pi"}),
    "randomization:database_lock": frozenset({"data_manager", "pi"}),
    "randomization:unblinding_request": frozenset({"coordinator", "data_manager", "pi"}),
    "randomization:blinding_guess": frozenset({"assessor"}),
    "outcomes:dashboard": frozenset({"assessor", "statistician", "data_manager", "monitor", "pi"}),
    "outcomes:dashboard_by_arm": frozenset({"pi"}),
    "outcomes:export_page": frozenset({"statistician", "data_manager", "pi"}),
    "outcomes:export_status": frozenset({"statistician", "data_manager", "pi"}),
    "outcomes:export_download": frozenset({"statistician", "data_manager", "pi"}),
    "outcomes:analysis": frozenset({"statistician"}),
    "outcomes:analysis_dataset": frozenset({"statistician"}),
    "outcomes:analysis_start": frozenset({"statistician"}),
    "outcomes:analysis_run": frozenset({"statistician"}),
    "outcomes:analysis_report": frozenset({"statistician"}),
    "home_coordinator": frozenset({"coordinator"}),
    "home_therapist": frozenset({"therapist"}),
    "home_assessor": frozenset({"assessor"}),
    "home_statistician": frozenset({"statistician"}),
    "home_data_manager": frozenset({"data_manager", "pi"}),
    "home_pi": frozenset({"pi"}),
    "home_monitor": frozenset({"monitor"}),
    "home_qualitative_researcher": frozenset({"qualitative_researcher"}),
    "interviews:invitations": frozenset({"coordinator"}),
    "interviews:invitation": frozenset({"coordinator"}),
    "interviews:interview_list": frozenset({"qualitative_researcher", "pi"}),
    "interviews:guides": frozenset({"qualitative_researcher"}),
    "interviews:interview_new": frozenset({"qualitative_researcher"}),
    "interviews:interview": frozenset({"qualitative_researcher", "pi"}),
    # The audio: the qualitative researcher and the PI alone; every other role 403.
    "interviews:recording_audio": frozenset({"qualitative_researcher", "pi"}),
    "interviews:transcript_review": frozenset({"qualitative_researcher"}),
    "interviews:export": frozenset({"qualitative_researcher", "pi"}),
}
STAFF_ROLES = frozenset(role.code for role in ROLES if role.staff)
# Pages about one user's own object: a permitted role gets 404 for someone else's.
OWNER_ONLY = frozenset({"outcomes:export_status", "outcomes:export_download",
                        "outcomes:analysis_run", "outcomes:analysis_report"})  # fmt: skip


@pytest.fixture
def urls(role_users: dict) -> list:
    return concrete_urls(seeded_ids())


def test_matrix_covers_every_page(urls: list) -> None:
    own_pages = {u.name for u in urls if "admin" not in u.namespaces} - PUBLIC
    assert own_pages == set(ROLE_URL_MATRIX), "add new pages to ROLE_URL_MATRIX"


def test_every_url_refuses_anonymous(urls: list) -> None:
    client = Client()
    assert len(urls) > 30  # the admin's patterns are included
    for url in urls:
        response = client.get(url.path)
        if url.name in PUBLIC:
            assert response.status_code in (200, 302), url
            assert "/login/?next=" not in response.get("Location", "")
            continue
        if url.path.startswith("/api/"):  # no login page for the API: 401/403 with no data
            assert response.status_code in (401, 403), (url, response.status_code)
            assert b"study_id" not in response.content
            continue
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/login/?next="), (url, response["Location"])


@pytest.mark.parametrize("role", sorted(ALL))
def test_role_url_matrix(role: str, client_for, urls: list) -> None:
    client = client_for(role)
    for url in urls:
        if "admin" in url.namespaces or url.name in PUBLIC:
            continue
        response = client.get(url.path)
        if role in ROLE_URL_MATRIX[url.name]:
            allowed = (200, 302, 405, 404) if url.name in OWNER_ONLY else (200, 302, 405)
            assert response.status_code in allowed, (role, url, response.status_code)
            assert "/login/" not in response.get("Location", ""), (role, url)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


@pytest.mark.parametrize("role", sorted(ALL))
def test_admin_only_for_staff_roles(role: str, client_for) -> None:
    response = client_for(role).get("/admin/")
    if role in STAFF_ROLES:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.code)
def test_each_demo_user_lands_on_its_worklist(role: Role, client_for) -> None:
    response = client_for(role.code).get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/home/{role.code.replace('_', '-')}/"
    assert b'data-testid="role-home"' in response.content


def test_user_without_role_is_refused(db) -> None:
    from trial.models import User

    User.objects.create_user("norole", password="a-long-enough-password-1")
    client = Client()
    client.post("/login/", {"username": "norole", "password": "a-long-enough-password-1"})
    assert client.get("/").status_code == 403


def undeclared_view(request):  # deliberately declares no access policy
    from django.http import HttpResponse

    return HttpResponse("secret")


def test_view_without_policy_is_refused_and_fails_system_check(role_users, client_for) -> None:
    from django.urls import path

    import strongback.urls
    import tests.test_access as this

    this.urlpatterns = [
        path("undeclared/", undeclared_view, name="undeclared"),
        *strongback.urls.urlpatterns,
    ]
    this.handler403 = strongback.urls.handler403
    client = client_for("pi")
    with override_settings(ROOT_URLCONF="tests.test_access"):
        errors = [e for e in run_checks() if e.id == "trial.E001"]
        assert errors and "undeclared" in errors[0].msg
        response = client.get("/undeclared/")
        assert response.status_code == 403
        assert b"secret" not in response.content


def test_blinded_role_with_unblinding_permission_is_a_conflict() -> None:
    bad = Role("x", "x", "home", frozenset({"view_allocation"}), blinded_to_arm=True)
    assert blinding_conflicts(bad) == ["view_allocation"]
    lsiq = Role(
        "y", "y", "home", frozenset({"view_lsiq"}), blinded_to_arm=False, blinded_to_lsiq=True
    )
    assert blinding_conflicts(lsiq) == ["view_lsiq"]
    assert all(blinding_conflicts(role) == [] for role in ROLES)
