from django.urls import path

from imaging import views

app_name = "imaging"

urlpatterns = [
    path("imaging/", views.worklist, name="imaging_worklist"),
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/mri/",
        views.visit_imaging,
        name="imaging_visit",
    ),
    path("imaging/<int:study_pk>/", views.study_page, name="imaging_study"),
    path("imaging/<int:study_pk>/status/", views.study_status, name="imaging_status"),
    path("imaging/<int:study_pk>/rerun/", views.rerun_study, name="imaging_rerun"),
    path(
        "imaging/<int:study_pk>/series/<int:series_pk>/choose/",
        views.choose_series,
        name="imaging_choose_series",
    ),
    path("imaging/<int:study_pk>/levels/", views.levels_page, name="imaging_levels"),
    path(
        "imaging/<int:study_pk>/slice/<int:axis>/<int:index>.png",
        views.slice_png,
        name="imaging_slice",
    ),
    path("imaging/runs/<int:run_pk>/", views.review_page, name="imaging_review"),
    path(
        "imaging/runs/<int:run_pk>/overlay/<str:name>.png",
        views.overlay_png,
        name="imaging_overlay",
    ),
    path("imaging/runs/<int:run_pk>/decide/", views.decide, name="imaging_decide"),
    path("imaging/runs/<int:run_pk>/correct/", views.correct, name="imaging_correct"),
]
