"""Root URL configuration. Every view here declares an access policy (see ``trial.access``)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.i18n import set_language

from strongback.api.views import SchemaAPI
from strongback.views import home, participants
from trial.access.language import remember_language
from trial.access.policy import public
from trial.roles import ROLES
from trial.views import (
    audit,
    auth,
    baseline,
    enrolment,
    record_locks,
    record_status,
    screening,
    sdv,
    sessions,
    signoff,
    system,
    text_review,
    users,
)


@public
def set_language_view(request: HttpRequest) -> HttpResponse:
    response = set_language(request)
    if request.method == "POST":
        remember_language(request, request.POST.get("language", ""))
    return response


urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", auth.LogoutEverywhereView.as_view(), name="logout_everywhere"),
    path("account/two-factor/", auth.two_factor_setup, name="two_factor_setup"),
    path("audit/", audit.audit_review, name="audit_review"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path(
        "account/set-password/<uidb64>/<token>/",
        users.PasswordSetView.as_view(),
        name="password_set",
    ),
    path("blinding-review/", text_review.text_review, name="text_review"),
    path("screening/", screening.screening_list, name="screening_list"),
    path("screening/new/", screening.screening_edit, name="screening_new"),
    path("screening/<int:pk>/", screening.screening_edit, name="screening_edit"),
    path("screening/<int:pk>/eligibility/", enrolment.eligibility_edit, name="eligibility_edit"),
    path(
        "screening/<int:pk>/mri-safety/",
        enrolment.screening_mri_safety,
        name="screening_mri_safety",
    ),
    path(
        "screening/<int:pk>/override/", enrolment.eligibility_override, name="eligibility_override"
    ),
    path("screening/<int:pk>/enrol/", enrolment.enrol_view, name="enrol"),
    path("participants/", participants.participant_list, name="participant_list"),
    path("record-status/", record_status.record_status_page, name="record_status"),
    path("consort/", participants.consort, name="consort"),
    path("consort/diagram.<str:fmt>", participants.consort_diagram, name="consort_diagram"),
    path(
        "adverse-events/<int:event_id>/acknowledge/",
        sessions.acknowledge_event,
        name="ae_acknowledge",
    ),
    path(
        "participants/<str:study_id>/", participants.participant_detail, name="participant_detail"
    ),
    path("participants/<str:study_id>/identity/", enrolment.identity_edit, name="identity_edit"),
    path("participants/<str:study_id>/schedule/", enrolment.schedule_edit, name="schedule_edit"),
    path("participants/<str:study_id>/consent/", enrolment.consent_edit, name="consent_edit"),
    path("participants/<str:study_id>/exit/", enrolment.exit_edit, name="exit_edit"),
    path("participants/<str:study_id>/locks/", record_locks.record_locks, name="record_locks"),
    path("participants/<str:study_id>/sign-off/", signoff.visit_sign_off, name="visit_sign_off"),
    path(
        "participants/<str:study_id>/source-verification/",
        sdv.source_verification,
        name="source_verification",
    ),
    path(
        "participants/<str:study_id>/sociodemographics/",
        baseline.sociodemographics_edit,
        name="sociodemographics_edit",
    ),
    path(
        "participants/<str:study_id>/medical-history/",
        baseline.medical_history_edit,
        name="medical_history_edit",
    ),
    path(
        "participants/<str:study_id>/mri-safety/",
        enrolment.baseline_mri_safety,
        name="baseline_mri_safety",
    ),
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/",
        baseline.visit_record_edit,
        name="visit_record",
    ),
    path(
        "participants/<str:study_id>/sessions/<int:number>/",
        sessions.session_log,
        name="session_log",
    ),
    path(
        "participants/<str:study_id>/adverse-events/new/",
        sessions.adverse_event_edit,
        name="ae_new",
    ),
    path(
        "participants/<str:study_id>/adverse-events/<int:event_id>/",
        sessions.adverse_event_edit,
        name="ae_edit",
    ),
    path("", include("imaging.urls")),
    path("", include("randomization.urls")),
    path("", include("outcomes.urls")),
    path("", include("interviews.urls")),
    path("api/v1/", include("strongback.api.urls")),
    path("api/schema/", SchemaAPI.as_view(), name="api_schema"),
    path("health/", system.health, name="health"),
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("admin/", admin.site.urls),
]
urlpatterns += [
    path(f"home/{role.code.replace('_', '-')}/", home.role_home_view(role), name=role.home)
    for role in ROLES
]

handler403 = "trial.views.errors.permission_denied"
handler404 = "trial.views.errors.page_not_found"
handler500 = "trial.views.errors.server_error"

admin.site.site_header = "STRONG-BACK EDC"
admin.site.site_title = "STRONG-BACK EDC"
if not settings.DEBUG:
    admin.site.enable_nav_sidebar = False
