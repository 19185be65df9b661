"""API shapes of donors, donations and deferrals. Field names follow DESIGN.md's contract;
validation calls the same functions as the forms."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import ranges
from accounts.api.fields import BoundedDateField
from portal.api import ScopedUnitField

from .. import phenotype
from ..choices import DeferralCategory, DonationKind, ReactionKind
from ..models import Deferral, Donation, Donor
from ..phones import normalise_phone
from ..privacy import listed_phone


class DonorSerializer(serializers.ModelSerializer):
    unit = ScopedUnitField()
    last_donated_on = serializers.DateField(
        source="external_last_donation_on",
        required=False,
        allow_null=True,
        validators=[ranges.validate_past_date],  # the model field's, which this renames
        help_text="A donation made outside the portal.",
    )
    verified = serializers.SerializerMethodField()
    erased = serializers.SerializerMethodField(
        help_text="Personal data erased on request: the record is closed."
    )
    # DPDP-23: consent per purpose, given at the donor's word when staff register them.
    consent_registry = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="On create: the donor agrees to be kept in the registry (recorded with "
        "who and when). Without it the donor is registered with no consent on record.",
    )
    consent_reminders = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="On create: the donor also agrees to reminders (needs consent_registry).",
    )

    class Meta:
        model = Donor
        fields = [
            "id",
            "name",
            "sex",
            "date_of_birth",
            "blood_group",
            "phone",
            "weight_kg",
            "unit",
            "last_donated_on",
            "email",
            "locality",
            "is_police",
            "rank",
            "badge_number",
            "living_blood_bank",
            "preferred_language",
            "phenotype",
            "unavailable_until",
            "unavailable_reason",
            "eraktkosh_id",
            "verified",
            "erased",
            "consent_registry",
            "consent_reminders",
        ]
        extra_kwargs = {"phone": {"validators": []}}  # uniqueness is checked after normalising

    def validate(self, attrs):
        attrs = super().validate(attrs)
        registered = attrs.get("consent_registry") or (
            self.instance is not None and self.instance.consent_at is not None
        )
        if attrs.get("consent_reminders") and not registered:
            raise serializers.ValidationError(
                {"consent_reminders": [_("Reminders need the donor's consent to the registry.")]}
            )
        return attrs

    def to_representation(self, donor):
        # The phone as the list shows it to the caller: masked (98••••3210) for staff
        # beyond their own unit; the same field, so the contract stays.
        data = super().to_representation(donor)
        request = self.context.get("request")
        if "phone" in data and request is not None:
            data["phone"] = listed_phone(request.user, donor)
        return data

    def get_verified(self, donor) -> bool:
        return donor.verified_at is not None

    def get_erased(self, donor) -> bool:
        return donor.erased_at is not None

    # Plausible dates of birth and weights are the model fields' validators (accounts.ranges),
    # which ModelSerializer runs. A Django ValidationError raised in a validate_<field>
    # method is that field's error (DRF converts it).

    def validate_phone(self, value):
        # Duplicates and full numbers are the service's rule (donors.services.
        # find_duplicates, run by donor_create and donor_update): a 400 on "phone".
        return normalise_phone(value)

    def validate_phenotype(self, value):
        return phenotype.normalise(value)


class EligibilitySerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    next_eligible_on = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class EligibilityQuerySerializer(serializers.Serializer):
    on = BoundedDateField(required=False, help_text="ISO date; today when absent.")
    kind = serializers.ChoiceField(
        choices=DonationKind.choices,
        required=False,
        help_text="whole_blood (when absent) or apheresis.",
    )


class DonorScopedField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from ..selectors import donors_for

        request = self.context.get("request")
        return donors_for(request.user) if request else Donor.objects.none()


@extend_schema_field({"type": "string", "enum": ["", *ReactionKind.values]})
class ReactionKindField(serializers.CharField):
    """A reaction kind as text: the schema lists the kinds, the service judges the value
    (donations.donation_reaction_record), so a kind not on the list is refused with the
    camp table's words, not DRF's."""


class DonationSerializer(serializers.ModelSerializer):
    """A screening's shape; its rules (interval, haemoglobin, weight and bag, blood pressure,
    age, deferral, bag number and volume) are ``donations.donation_record``'s, answered as
    the same field errors as on the camp table."""

    donor = DonorScopedField()
    deferral_category = serializers.ChoiceField(
        choices=DeferralCategory.choices,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text='For a "deferred" outcome: why (a coarse category); the deferral is '
        "recorded with the category's default length.",
    )

    reaction = ReactionKindField(
        read_only=True,
        help_text='vasovagal, haematoma, other, or "" for none; written at '
        "donations/{id}/reaction/.",
    )

    class Meta:
        model = Donation
        fields = [
            "id",
            "donor",
            "donated_on",
            "camp",
            "blood_centre",
            "kind",
            "outcome",
            "bag_volume_ml",
            "bag_number",
            "haemoglobin_g_dl",
            "weight_kg",
            "bp_systolic",
            "bp_diastolic",
            "deferral_category",
            "reaction",
            "reaction_note",
        ]
        # The bag number's uniqueness is donation_record's, as an error on bag_number.
        validators = []
        # Donations at a camp are recorded at the camp table (camps.services), which checks
        # the camp is open; here the camp is only read. A reaction is written through
        # donations/{id}/reaction/ (ReactionSerializer).
        read_only_fields = ["camp", "reaction", "reaction_note"]


class ReactionSerializer(serializers.Serializer):
    """An adverse reaction on a donation, read and written at donations/{id}/reaction/;
    every rule is ``donations.donation_reaction_record``'s."""

    donation = serializers.IntegerField(source="pk", read_only=True)
    reaction = ReactionKindField(
        allow_blank=True,
        help_text='vasovagal, haematoma, other, or "" for none (clears a reaction noted '
        "by mistake). A deferral at screening drew no blood and takes none.",
    )
    reaction_note = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text='What happened, up to 200 characters; needed for "other".',
    )


class DeferralSerializer(serializers.ModelSerializer):
    donor = DonorScopedField()

    class Meta:
        model = Deferral
        fields = ["id", "donor", "category", "starts_on", "until"]
        extra_kwargs = {"until": {"required": False}}
