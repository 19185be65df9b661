"""A few demo children with plans, guardians and donor circles, for ``load_demo``.

Idempotent: a child is found by its registration number and left alone when it exists."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from donors.choices import ConsentPurpose, DonorSource
from donors.demo import demo_actor
from donors.models import Donor
from donors.services import donor_create

from .children import patient_create
from .models import DonorCircle, Patient

# (registration number, name, sex, age, blood group, units, interval, days since last
#  transfusion, station code, guardian name, relation, guardian phone)
CHILDREN = [
    (
        "HTC-0101",
        "Riya Sharma",
        "F",
        6,
        "B+",
        1,
        21,
        18,
        "knp-kotwali",
        "Meena Sharma",
        "mother",
        "+919000000101",
    ),
    (
        "HTC-0102",
        "Kabir Khan",
        "M",
        13,
        "O+",
        2,
        15,
        17,
        "knp-cantt",
        "Imran Khan",
        "father",
        "+919000000102",
    ),
    (
        "HTC-0103",
        "Anaya Gupta",
        "F",
        9,
        "A+",
        1,
        21,
        5,
        "knp-moolganj",
        "Pooja Gupta",
        "mother",
        "+919000000103",
    ),
    (
        "HTC-0104",
        "Arjun Verma",
        "M",
        15,
        "B-",
        2,
        15,
        9,
        "knp-kotwali",
        "Sita Verma",
        "grandparent",
        "+919000000104",
    ),
]

# Demo donors of the adopting stations, in the children's circles: (phone, name, sex, group,
# station, circle of registration number).
DONORS = [
    ("+919000000201", "HC Ramesh Yadav", "M", "B+", "knp-kotwali", "HTC-0101"),
    ("+919000000202", "SI Neha Singh", "F", "O+", "knp-cantt", "HTC-0102"),
    ("+919000000203", "Ct Vikas Pal", "M", "O-", "knp-kotwali", "HTC-0104"),
    ("+919000000204", "HC Alok Mishra", "M", "A+", "knp-moolganj", "HTC-0103"),
]


@transaction.atomic
def load(units: dict) -> int:
    """Create the demo children (and their circle donors) missing; answer how many exist."""
    today = timezone.localdate()
    for reg, name, sex, age, group, n, days, since, station, g_name, relation, phone in CHILDREN:
        if Patient.objects.filter(registration_number=reg).exists():
            continue
        patient_create(
            name=name,
            sex=sex,
            date_of_birth=today.replace(year=today.year - age, day=1),
            blood_group=group,
            unit=units[station],
            registration_number=reg,
            units_per_transfusion=n,
            interval_days=days,
            last_transfused_on=today - timedelta(days=since),
            consent_at=timezone.now(),
            consent_version="demo",
            consent_by=g_name,
            guardians=[{"name": g_name, "relation": relation, "phone": phone}],
        )
    actor = demo_actor()
    for phone, name, sex, group, station, reg in DONORS:
        # Registered like any donor staff register (donors.services.donor_create).
        donor = Donor.objects.filter(phone=phone).first() or donor_create(
            actor=actor,
            source=DonorSource.STAFF,
            consents=[ConsentPurpose.REGISTRY],
            phone=phone,
            name=name,
            sex=sex,
            blood_group=group,
            date_of_birth=today.replace(year=today.year - 32, day=1),
            unit=units[station],
            is_police=True,
        )
        patient = Patient.objects.get(registration_number=reg)
        DonorCircle.objects.get_or_create(patient=patient, donor=donor)
    return Patient.objects.filter(registration_number__in=[c[0] for c in CHILDREN]).count()
