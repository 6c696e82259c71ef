"""Shapes of the API's answers, declared for the OpenAPI schema (drf-spectacular) and used to
render them. Nothing here decides what a reader may see: the selectors have done that."""

from __future__ import annotations

from rest_framework import serializers


class VisitSerializer(serializers.Serializer):
    code = serializers.CharField()
    state = serializers.CharField()
    window = serializers.ListField(child=serializers.DateField(allow_null=True))
    done_on = serializers.DateField(allow_null=True)
    forms = serializers.DictField(child=serializers.BooleanField(), help_text="form code: done")


class ParticipantSerializer(serializers.Serializer):
    study_id = serializers.CharField()
    stage = serializers.CharField()
    consent_date = serializers.DateField()
    randomised_on = serializers.DateField(allow_null=True)
    arm = serializers.CharField(allow_null=True, help_text="null for a reader blind to the arm")
    adherence = serializers.FloatField(allow_null=True)
    visits = VisitSerializer(many=True)


class FormSerializer(serializers.Serializer):
    visit_code = serializers.CharField()
    instrument = serializers.CharField()
    completed_on = serializers.DateField()
    responses = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    verification = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    visit_code = serializers.CharField()
    instrument = serializers.CharField()
    total = serializers.FloatField(allow_null=True)
    subscores = serializers.DictField(child=serializers.FloatField(allow_null=True))
    missing_items = serializers.ListField(child=serializers.CharField())
    scoring_version = serializers.CharField()


class ImagingMetricSerializer(serializers.Serializer):
    study_id = serializers.CharField(source="run.study.participant.study_id")
    visit_code = serializers.CharField(source="run.study.visit_code")
    muscle = serializers.CharField()
    side = serializers.CharField()
    level = serializers.CharField()
    csa_mm2 = serializers.FloatField(allow_null=True)
    mean_csa_mm2 = serializers.FloatField(allow_null=True)
    volume_mm3 = serializers.FloatField(allow_null=True)
    fat_fraction_pct = serializers.FloatField(allow_null=True)
    n_slices = serializers.IntegerField()
    fat_method = serializers.CharField()
    model_name = serializers.CharField(source="run.model_name")
    model_sha256 = serializers.CharField(source="run.model_sha256")
    code_version = serializers.CharField(source="run.code_version")
    reviewed_at = serializers.DateTimeField(source="run.reviewed_at", allow_null=True)


class RandomisationSerializer(serializers.Serializer):
    study_id = serializers.CharField()
    randomised_on = serializers.DateField()
    arm = serializers.CharField(allow_null=True)
    arm_label = serializers.CharField(allow_null=True)


class RefusalSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()
