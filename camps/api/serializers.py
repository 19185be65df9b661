"""API shapes of camps and partners. Writes go through camps.services and camps.partners;
totals are read from ``selectors.totals_for``, counted in the database, never written."""

from rest_framework import serializers

from portal.api import ScopedUnitField

from ..models import BloodCentre, Camp, Hospital, HospitalContact
from ..partners import CONTACT_FIELDS, contact_clean


class CampSerializer(serializers.ModelSerializer):
    unit = ScopedUnitField()
    totals = serializers.SerializerMethodField(
        help_text="registered, deferred, units_collected, adverse_reactions, "
        "first_time_donors, repeat_donors, units_by_blood_group, units_by_bag_ml"
    )

    class Meta:
        model = Camp
        fields = [
            "id",
            "name",
            "held_on",
            "starts_at",
            "ends_at",
            "venue",
            "unit",
            "blood_centre",
            "target_donors",
            "status",
            "eraktkosh_id",
            "notes",
            "totals",
        ]
        read_only_fields = ["status"]

    def get_totals(self, camp) -> dict:
        totals = self.context.get("totals", {}).get(camp.pk)
        if totals is None:
            from ..selectors import camp_totals

            totals = camp_totals(camp)
        return totals.as_dict()


class BloodCentreSerializer(serializers.ModelSerializer):
    class Meta:
        model = BloodCentre
        fields = [
            "id",
            "name",
            "licence_number",
            "address",
            "phone",
            "contact_person",
            "eraktkosh_id",
        ]
        # The service checks the licence and the e-RaktKosh id are unique, in the page's
        # words (full_clean).
        extra_kwargs = {"licence_number": {"validators": []}, "eraktkosh_id": {"validators": []}}


class HospitalContactSerializer(serializers.ModelSerializer):
    # Any written form of the number, stored in E.164 as the page stores it.
    phone = serializers.CharField(max_length=20)

    class Meta:
        model = HospitalContact
        fields = ["id", "name", "role", "phone"]
        read_only_fields = ["id"]

    def validate(self, attrs):
        # The page's rule (partners.contact_clean): the same message on the same field.
        return contact_clean(**{name: attrs.get(name, "") for name in CONTACT_FIELDS})


class HospitalSerializer(serializers.ModelSerializer):
    """A hospital with its contacts; writing ``contacts`` replaces them. Written by
    ``partners.hospital_create`` / ``hospital_update``, which the viewset calls."""

    contacts = HospitalContactSerializer(many=True, required=False)

    class Meta:
        model = Hospital
        fields = ["id", "name", "kind", "address", "phone", "contacts"]
