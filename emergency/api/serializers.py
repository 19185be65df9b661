"""API shapes of emergency requests. Writes go through emergency.services; the counts are
read from ``selectors.requests_for`` (annotated in the database)."""

from rest_framework import serializers

from camps.models import Hospital
from portal.api import ScopedUnitField

from ..choices import RequestStatus
from ..models import EmergencyCall, EmergencyRequest


class EmergencyRequestSerializer(serializers.ModelSerializer):
    unit = ScopedUnitField()
    hospital = serializers.PrimaryKeyRelatedField(queryset=Hospital.objects.all())
    units_needed = serializers.IntegerField(min_value=1, max_value=999)
    asked = serializers.IntegerField(read_only=True)
    coming = serializers.IntegerField(read_only=True)
    declined = serializers.IntegerField(read_only=True)

    class Meta:
        model = EmergencyRequest
        fields = [
            "id",
            "unit",
            "hospital",
            "blood_group",
            "units_needed",
            "needed_by",
            "status",
            "waves_sent",
            "next_wave_at",
            "asked",
            "coming",
            "declined",
            "created_at",
            "closed_at",
        ]
        read_only_fields = [
            "status",
            "waves_sent",
            "next_wave_at",
            "created_at",
            "closed_at",
        ]
        extra_kwargs = {"status": {"help_text": ", ".join(RequestStatus.values)}}


class EmergencyCallSerializer(serializers.ModelSerializer):
    donor_name = serializers.CharField(source="donor.name", read_only=True)
    phone = serializers.CharField(source="donor.phone", read_only=True)
    blood_group = serializers.CharField(source="donor.blood_group", read_only=True)
    living_blood_bank = serializers.BooleanField(source="donor.living_blood_bank", read_only=True)

    class Meta:
        model = EmergencyCall
        fields = [
            "donor",
            "donor_name",
            "phone",
            "blood_group",
            "living_blood_bank",
            "wave",
            "status",
            "asked_at",
            "answered_at",
        ]
