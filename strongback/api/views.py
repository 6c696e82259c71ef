"""API endpoints. Each declares its permissions like a page (``required_permissions``) and is
marked ``access_api`` so the deny-by-default middleware leaves authentication to DRF (tokens).
Arms and LSIQ values pass through ``randomization.selectors`` and ``hidden_forms_for``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from randomization.services import randomise
from strongback.api.permissions import DeclaredPermissions
from strongback.api.serializers import (
    ParticipantSerializer,
    RandomisationSerializer,
    RefusalSerializer,
)
from trial.arms import visible_arm
from trial.audit.context import audit_context, context_for_user
from trial.exceptions import JourneyError
from trial.models import Participant
from trial.redaction import public_message
from trial.schedule.timeline import VisitStatus
from trial.selectors.journeys import Journey, journeys
from trial.views.helpers import participant_or_404


class TrialAPIView(APIView):
    access_api = True
    permission_classes: ClassVar[list[Any]] = [DeclaredPermissions]
    required_permissions: ClassVar[tuple[str, ...]] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Token users are known only now: put them in the audit context for this call.
        self._audit = audit_context(**context_for_user(request.user, channel="api"))
        self._audit.__enter__()

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """The context opened in ``initial`` is closed here whatever happens, an unhandled
        error included (DRF skips ``finalize_response`` then)."""
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            audit, self._audit = getattr(self, "_audit", None), None
            if audit is not None:
                audit.__exit__(None, None, None)


def visit_json(status: VisitStatus) -> dict[str, object]:
    return {
        "code": status.visit.code,
        "state": status.state.value,
        "window": [status.window_start, status.window_end],
        "done_on": status.done_on,
        "forms": {f.form.code: f.done for f in status.forms},
    }


def _journey_json(journey: Journey) -> dict[str, object]:
    return {
        "study_id": journey.participant.study_id,
        "stage": journey.stage.value,
        "consent_date": journey.participant.consent_date,
        "randomised_on": journey.participant.randomized_on,
        "arm": journey.arm.code if journey.arm else None,
        "adherence": round(journey.sessions.adherence, 4) if journey.sessions else None,
        "visits": [visit_json(status) for status in journey.visits],
    }


class ParticipantListAPI(TrialAPIView):
    required_permissions = ("trial.view_participants",)

    @extend_schema(responses=ParticipantSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = journeys(request.user, Participant.objects.all(), timezone.localdate())
        return Response([_journey_json(j) for j in rows])


class ParticipantDetailAPI(TrialAPIView):
    required_permissions = ("trial.view_participants",)

    @extend_schema(responses=ParticipantSerializer)
    def get(self, request: Request, study_id: str) -> Response:
        participant = participant_or_404(study_id)
        return Response(
            _journey_json(journeys(request.user, [participant], timezone.localdate())[0])
        )


class RandomiseAPI(TrialAPIView):
    """POST randomises (idempotent: a retry returns the same allocation)."""

    required_permissions = ("trial.randomise",)

    @extend_schema(request=None, responses={200: RandomisationSerializer, 409: RefusalSerializer})
    def post(self, request: Request, study_id: str) -> Response:
        participant = participant_or_404(study_id)
        try:
            randomise(participant, request.user)
        except JourneyError as refusal:
            return Response({"error": refusal.code, "detail": public_message(refusal)}, status=409)
        participant.refresh_from_db()
        arm = visible_arm(request.user, participant.pk)
        return Response(
            {
                "study_id": participant.study_id,
                "randomised_on": participant.randomized_on,
                "arm": arm.code if arm else None,
                "arm_label": arm.label if arm else None,
            }
        )


class SchemaAPI(SpectacularAPIView):
    """The OpenAPI 3 schema, for trial users (session or token); anonymous callers get 401/403."""

    access_api = True
    permission_classes: ClassVar[list[Any]] = [DeclaredPermissions]
    required_permissions: ClassVar[tuple[str, ...]] = ("trial.view_participants",)
