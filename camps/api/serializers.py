"""API shapes of camps and partners. Writes go through camps.services; totals are read from
``selectors.totals_for``, counted in the database, never written."""

from django.db import transaction
from rest_framework import serializers

from donors.api.serializers import ScopedUnitField

from ..models import BloodCentre, Camp, Hospital, HospitalContact


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


class HospitalContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = HospitalContact
        fields = ["id", "name", "role", "phone"]
        read_only_fields = ["id"]


class HospitalSerializer(serializers.ModelSerializer):
    contacts = HospitalContactSerializer(many=True, required=False)

    class Meta:
        model = Hospital
        fields = ["id", "name", "kind", "address", "phone", "contacts"]

    @transaction.atomic
    def create(self, validated_data):
        contacts = validated_data.pop("contacts", [])
        hospital = Hospital.objects.create(**validated_data)
        self._replace_contacts(hospital, contacts)
        return hospital

    @transaction.atomic
    def update(self, instance, validated_data):
        contacts = validated_data.pop("contacts", None)
        instance = super().update(instance, validated_data)
        if contacts is not None:  # a list given replaces the contacts
            instance.contacts.all().delete()
            self._replace_contacts(instance, contacts)
        return instance

    def _replace_contacts(self, hospital, contacts):
        HospitalContact.objects.bulk_create(
            HospitalContact(hospital=hospital, **contact) for contact in contacts
        )
