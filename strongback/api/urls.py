from django.urls import path

from strongback.api import outcomes, views

urlpatterns = [
    path("participants/", views.ParticipantListAPI.as_view(), name="api_participants"),
    path(
        "participants/<str:study_id>/", views.ParticipantDetailAPI.as_view(), name="api_participant"
    ),
    path("participants/<str:study_id>/visits/", outcomes.VisitListAPI.as_view(), name="api_visits"),
    path("participants/<str:study_id>/forms/", outcomes.FormListAPI.as_view(), name="api_forms"),
    path("participants/<str:study_id>/scores/", outcomes.ScoreListAPI.as_view(), name="api_scores"),
    path(
        "participants/<str:study_id>/randomise/",
        views.RandomiseAPI.as_view(),
        name="api_randomise",
    ),
    path("imaging/metrics/", outcomes.ImagingMetricListAPI.as_view(), name="api_imaging_metrics"),
]
