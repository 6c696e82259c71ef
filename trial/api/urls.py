from django.urls import path

from trial.api import views

urlpatterns = [
    path("participants/", views.ParticipantListAPI.as_view(), name="api_participants"),
    path(
        "participants/<str:study_id>/", views.ParticipantDetailAPI.as_view(), name="api_participant"
    ),
    path(
        "participants/<str:study_id>/randomise/",
        views.RandomiseAPI.as_view(),
        name="api_randomise",
    ),
]
