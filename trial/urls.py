"""Root URL configuration. Every view here declares an access policy (see ``trial.access``)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.i18n import set_language

from trial.access.policy import public
from trial.roles import ROLES
from trial.views import audit, auth, home, screening, system


@public
def set_language_view(request: HttpRequest) -> HttpResponse:
    return set_language(request)


urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", auth.two_factor_setup, name="two_factor_setup"),
    path("audit/", audit.audit_review, name="audit_review"),
    path("screening/", screening.screening_list, name="screening_list"),
    path("screening/new/", screening.screening_edit, name="screening_new"),
    path("screening/<int:pk>/", screening.screening_edit, name="screening_edit"),
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
