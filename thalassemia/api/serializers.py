"""API shapes of children, transfusions and assignments. Field names follow DESIGN.md's
contract (patient: name, sex, date_of_birth, blood_group, unit, units_per_transfusion,
interval_days, last_transfused_on → id, next_due_on, annual_units); rules are the services'."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.fields import BoundedDateField
from accounts.scoping import for_user
from camps.models import Hospital
from donors.api.serializers import DonorScopedField
from donors.models import Donation
from portal.api import ScopedUnitField

from ..models import Assignment, Guardian, Patient, Transfusion
from ..selectors import current_plan, patient_annual_units


class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["id", "name", "relation", "phone", "preferred_language", "opted_out_at"]
        read_only_fields = ["opted_out_at"]
        # Any accepted form ("098123-45678"); the service stores it as E.164.
        extra_kwargs = {"phone": {"max_length": 20}}


class PatientSerializer(serializers.ModelSerializer):
    unit = ScopedUnitField()
    # Written to the plan; answered from the plan in force today (to_representation).
    units_per_transfusion = serializers.IntegerField(min_value=1, write_only=True)
    interval_days = serializers.IntegerField(min_value=1, write_only=True)
    last_transfused_on = serializers.DateField(required=False, allow_null=True)
    annual_units = serializers.SerializerMethodField()
    guardians = GuardianSerializer(
        many=True,
        required=False,
        help_text="Guardians to register with the child (on create only; afterwards use "
        "patients/{id}/guardians/).",
    )
    # DPDP: verifiable guardian consent for every child. Optional, so that the contract's
    # write fields alone still register a child; without it the child is "consent pending".
    guardian_consent = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="true: a guardian consents now to the child's record being kept for "
        "scheduling (recorded with the time and notice version). false or absent: no change.",
    )
    consent_by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="Who consented (with guardian_consent); by default the first guardian.",
    )
    consent_pending = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "name",
            "sex",
            "date_of_birth",
            "blood_group",
            "unit",
            "units_per_transfusion",
            "interval_days",
            "last_transfused_on",
            "next_due_on",
            "annual_units",
            "status",
            "phenotype",
            "alloantibodies",
            "weight_kg",
            "registration_number",
            "hospital",
            "guardians",
            "guardian_consent",
            "consent_by",
            "consent_at",
            "consent_version",
            "consent_pending",
        ]
        read_only_fields = ["next_due_on", "consent_at", "consent_version"]

    def to_representation(self, patient):
        plan = current_plan(patient)
        data = super().to_representation(patient)
        data["units_per_transfusion"] = plan.units_per_transfusion if plan else None
        data["interval_days"] = plan.interval_days if plan else None
        return data

    def get_consent_pending(self, patient) -> bool:
        return patient.consent_at is None

    def get_annual_units(self, patient) -> float | None:
        return patient_annual_units(patient)

    # A plausible date of birth (1900 to today) and weight are the model fields' validators
    # (accounts.ranges), as on the page.


class ScheduleQuerySerializer(serializers.Serializer):
    until = BoundedDateField(help_text="ISO date: the last day to list.")

    def validate_until(self, value):
        today = timezone.localdate()
        if not today <= value <= today.replace(year=today.year + 2):
            raise serializers.ValidationError(_("Give a date from today to two years ahead."))
        return value


class DueSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    units = serializers.IntegerField()


class MatchQuerySerializer(serializers.Serializer):
    on = BoundedDateField(help_text="ISO date the donor would give on.")


class MatchSerializer(serializers.Serializer):
    donor = serializers.IntegerField(source="donor.pk")
    name = serializers.CharField(source="donor.name")
    blood_group = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    verified = serializers.BooleanField(
        help_text="False for a pledged number not yet verified (ranked below every verified one)."
    )


class TransfusionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transfusion
        fields = [
            "id",
            "patient",
            "due_on",
            "status",
            "units_needed",
            "units_given",
            "done_on",
            "pre_haemoglobin_g_dl",
            "hospital",
            "notes",
        ]
        read_only_fields = fields


class TransfusionDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    units_given = serializers.IntegerField(min_value=1)
    pre_haemoglobin_g_dl = serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, allow_null=True
    )
    hospital = serializers.PrimaryKeyRelatedField(
        queryset=Hospital.objects.all(), required=False, allow_null=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TransfusionDateSerializer(serializers.Serializer):
    due_on = BoundedDateField()


class TransfusionNoteSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TransfusionScopedField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return for_user(Transfusion.objects.all(), request.user) if request else None


class DonationScopedField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return for_user(Donation.objects.all(), request.user) if request else None


class AssignmentSerializer(serializers.ModelSerializer):
    transfusion = TransfusionScopedField()
    donor = DonorScopedField()
    on = BoundedDateField(required=False)
    donation = DonationScopedField(required=False, allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "transfusion",
            "donor",
            "status",
            "on",
            "blocks_until",
            "asked_at",
            "responded_at",
            "donation",
        ]
        read_only_fields = ["blocks_until", "asked_at", "responded_at"]

    def validate(self, attrs):
        if self.instance is not None:
            unknown = {"transfusion", "donor", "on"} & set(attrs)
            if unknown:
                raise serializers.ValidationError(
                    {f: [_("Create a new assignment instead.")] for f in unknown}
                )
        return attrs
