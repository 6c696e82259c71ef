"""Outcome entry, device data, data queries, dashboards and exports (namespace ``outcomes``)."""

from django.urls import path

from outcomes.analysis import views as views_analysis
from outcomes.dashboards import views as views_dashboard
from outcomes.devices import views as views_devices
from outcomes.devices import views_layouts
from outcomes.exports import views as views_exports
from outcomes.instruments import views as outcome_views
from outcomes.queries import views as views_queries

app_name = "outcomes"

urlpatterns = [
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/instruments/<str:instrument>/",
        outcome_views.instrument_entry,
        name="instrument_entry",
    ),
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/instruments/<str:instrument>/verify/",
        outcome_views.second_entry,
        name="instrument_second_entry",
    ),
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/actigraphy/",
        views_devices.actigraphy_page,
        name="actigraphy",
    ),
    path(
        "participants/<str:study_id>/visits/<str:visit_code>/medx/",
        views_devices.medx_entry,
        name="medx_entry",
    ),
    path(
        "participants/<str:study_id>/app-code/",
        views_devices.app_code_issue,
        name="app_code_issue",
    ),
    path("imports/<str:kind>/", views_devices.import_upload, name="import_upload"),
    path("imports/<str:kind>/layouts/", views_layouts.import_layouts, name="import_layouts"),
    path("imports/preview/<int:import_id>/", views_devices.import_preview, name="import_preview"),
    path("participants/<str:study_id>/queries/new/", views_queries.query_raise, name="query_raise"),
    path("queries/", views_queries.query_list, name="query_list"),
    path("queries/<int:pk>/answer/", views_queries.query_answer, name="query_answer"),
    path("queries/<int:pk>/close/", views_queries.query_close, name="query_close"),
    path("queries/<int:pk>/send-back/", views_queries.query_send_back, name="query_send_back"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/by-arm/", views_dashboard.dashboard_by_arm, name="dashboard_by_arm"),
    path("exports/", views_exports.export_page, name="export_page"),
    path("exports/<int:pk>/", views_exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    path("analysis/", views_analysis.analysis_page, name="analysis"),
    path("analysis/dataset/", views_analysis.analysis_dataset, name="analysis_dataset"),
    path("analysis/runs/", views_analysis.analysis_start, name="analysis_start"),
    path("analysis/runs/<int:pk>/", views_analysis.analysis_run, name="analysis_run"),
    path(
        "analysis/runs/<int:pk>/<str:kind>/",
        views_analysis.analysis_report,
        name="analysis_report",
    ),
]
