"""The randomisation and blinding pages (namespace ``randomization``)."""

from django.urls import path

from randomization import views, views_blinding, views_waivers

app_name = "randomization"

urlpatterns = [
    path(
        "participants/<str:study_id>/randomise/",
        views.randomise_view,
        name="randomise",
    ),
    path(
        "participants/<str:study_id>/randomisation-waivers/",
        views_waivers.precondition_waivers,
        name="precondition_waivers",
    ),
    path("randomisation/lists/", views.allocation_lists, name="allocation_lists"),
    path("unblinding/", views_blinding.unblinding_decisions, name="unblinding_decisions"),
    path("database-lock/", views_blinding.database_lock, name="database_lock"),
    path(
        "participants/<str:study_id>/unblinding/",
        views_blinding.unblinding_request,
        name="unblinding_request",
    ),
    path(
        "participants/<str:study_id>/blinding-guess/",
        views_blinding.blinding_guess,
        name="blinding_guess",
    ),
]
