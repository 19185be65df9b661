"""Factories for every model. Later apps add theirs here, built through the apps' services."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts import unit_rules
from accounts.choices import Role, UnitKind
from accounts.models import PoliceUnit, User
from accounts.services import unit_create


class PoliceUnitFactory(factory.Factory):
    """Builds through the service, so treebeard paths are always right."""

    class Meta:
        model = PoliceUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = UnitKind.STATION
    code = factory.Sequence(lambda n: f"unit-{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *, parent=None, **kwargs):
        return unit_create(parent=parent, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@police.example")
    role = Role.STAFF
    unit = None
    password = factory.django.Password("correct horse battery")

    @factory.lazy_attribute
    def is_staff(self):
        return self.role == Role.ADMIN

    @factory.lazy_attribute
    def is_superuser(self):
        return self.role == Role.ADMIN


class BloodCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "camps.BloodCentre"

    name = factory.Sequence(lambda n: f"Blood Centre {n}")
    licence_number = factory.Sequence(lambda n: f"UP/BC/{1000 + n}")


class _KeepsStanding(factory.django.DjangoModelFactory):
    """Rows written around the services still keep the donor's stored standing
    (Donor.next_eligible_on and friends), as the services do."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from donors.services import donor_refresh_eligibility

        obj = super()._create(model_class, *args, **kwargs)
        donor = obj if model_class._meta.model_name == "donor" else obj.donor
        if donor is not obj or donor.external_last_donation_on is not None:
            donor_refresh_eligibility(donor)  # a new donor with no history: nothing to do
        return obj


class DonorFactory(_KeepsStanding):
    """A verified adult donor of station-level unit ``unit`` (pass one)."""

    class Meta:
        model = "donors.Donor"

    name = factory.Faker("name", locale="en_IN")
    sex = "M"
    date_of_birth = datetime.date(1990, 5, 17)
    blood_group = "O+"
    phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    weight_kg = Decimal("70")
    unit = None
    verified_at = factory.LazyFunction(timezone.now)
    # The unit's rules as stored now, as donor_create sets them.
    rules_profile = factory.LazyAttribute(
        lambda d: unit_rules.in_force([d.unit.pk]).get(d.unit.pk, "") if d.unit else ""
    )


class DeferralFactory(_KeepsStanding):
    class Meta:
        model = "donors.Deferral"

    donor = factory.SubFactory(DonorFactory)
    category = "tattoo"
    starts_on = datetime.date(2026, 1, 1)
    until = datetime.date(2027, 1, 1)


class DonationFactory(_KeepsStanding):
    class Meta:
        model = "donors.Donation"

    donor = factory.SubFactory(DonorFactory)
    donated_on = datetime.date(2026, 6, 1)
    kind = "whole_blood"
    outcome = "collected"
    bag_volume_ml = 350
    blood_centre = factory.SubFactory(BloodCentreFactory)
    bag_number = factory.Sequence(lambda n: f"BAG{n:06d}")
    # What the screening measured: a collected unit always has them.
    haemoglobin_g_dl = Decimal("13.5")
    weight_kg = Decimal("65")
    bp_systolic = 120
    bp_diastolic = 80


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "camps.Hospital"

    name = factory.Sequence(lambda n: f"Hospital {n}")


class HospitalContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "camps.HospitalContact"

    hospital = factory.SubFactory(HospitalFactory)
    name = factory.Faker("name", locale="en_IN")
    role = "Blood bank officer"
    phone = factory.Sequence(lambda n: f"+9197{n:08d}")


class CampFactory(factory.django.DjangoModelFactory):
    """An open camp of ``unit`` (pass one) today-ish; pass ``status`` for another state."""

    class Meta:
        model = "camps.Camp"

    name = factory.Sequence(lambda n: f"Camp {n}")
    held_on = factory.LazyFunction(timezone.localdate)
    venue = "Police Lines"
    unit = None
    blood_centre = factory.SubFactory(BloodCentreFactory)
    target_donors = 100
    status = "open"


def make_patient(unit, *, units=1, interval=21, last_transfused_on=None, guardians=(), **fields):
    """A child registered through the service (plan, guardians, next due computed)."""
    from thalassemia.children import patient_create

    defaults = {
        "name": "Child",
        "date_of_birth": datetime.date(2018, 3, 1),
        "sex": "F",
        "blood_group": "B+",
    }
    defaults.update(fields)
    return patient_create(
        unit=unit,
        units_per_transfusion=units,
        interval_days=interval,
        last_transfused_on=last_transfused_on,
        guardians=list(guardians),
        **defaults,
    )


def make_assignment(transfusion, donor, *, status="asked", on=None):
    """An assignment made and moved through the booking service (proposed → ``status``)."""
    from thalassemia.booking import assignment_create, assignment_set_status

    assignment = assignment_create(transfusion=transfusion, donor=donor, on=on)
    path = {"asked": ["asked"], "confirmed": ["asked", "confirmed"], "proposed": []}[status]
    for step in path:
        assignment = assignment_set_status(assignment=assignment, status=step)
    return assignment
