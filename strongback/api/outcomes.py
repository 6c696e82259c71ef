"""API reads of outcome data: visits, forms (item answers), scores and approved imaging metrics.
Forms the reader may not see (the LSIQ for those blind to the stratum) are left out here, by the
same ``hidden_forms_for`` the pages use."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from imaging.selectors import approved_metrics
from outcomes.models import InstrumentResponse
from strongback.api.serializers import (
    FormSerializer,
    ImagingMetricSerializer,
    ScoreSerializer,
    VisitSerializer,
)
from strongback.api.views import TrialAPIView, visit_json
from trial.selectors.journeys import hidden_forms_for, journeys
from trial.views.helpers import participant_or_404


def _responses(request: Request, study_id: str):
    participant = participant_or_404(study_id)
    return (
        InstrumentResponse.objects.filter(participant=participant)
        .exclude(instrument__in=hidden_forms_for(request.user))
        .order_by("visit_code", "instrument")
    )


class VisitListAPI(TrialAPIView):
    required_permissions = ("trial.view_participants",)

    @extend_schema(responses=VisitSerializer(many=True))
    def get(self, request: Request, study_id: str) -> Response:
        participant = participant_or_404(study_id)
        journey = journeys(request.user, [participant], timezone.localdate())[0]
        return Response([visit_json(status) for status in journey.visits])


class FormListAPI(TrialAPIView):
    required_permissions = ("trial.view_participants",)

    @extend_schema(responses=FormSerializer(many=True))
    def get(self, request: Request, study_id: str) -> Response:
        return Response(FormSerializer(_responses(request, study_id), many=True).data)


class ScoreListAPI(TrialAPIView):
    required_permissions = ("trial.view_participants",)

    @extend_schema(responses=ScoreSerializer(many=True))
    def get(self, request: Request, study_id: str) -> Response:
        return Response(ScoreSerializer(_responses(request, study_id), many=True).data)


class ImagingMetricListAPI(TrialAPIView):
    """Approved metrics only (pending or rejected runs never leave the QC step)."""

    required_permissions = ("trial.view_participants",)

    @extend_schema(
        parameters=[OpenApiParameter("study_id", str, description="only this participant")],
        responses=ImagingMetricSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        metrics = approved_metrics().order_by(
            "run__study__participant__study_id", "run__study__visit_code", "muscle", "side", "level"
        )
        if request.query_params.get("study_id"):
            metrics = metrics.filter(
                run__study__participant__study_id=request.query_params["study_id"]
            )
        return Response(ImagingMetricSerializer(metrics, many=True).data)
