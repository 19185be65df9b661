"""Demo donors for ``load_demo``: police donors registered in person by the Kotwali desk
officer through ``donor_create`` (so verified, with a registry consent row and an audit
line, like any donor staff register), spread over the Kanpur stations and blood groups.

Idempotent: a donor is found by phone and left alone when registered already."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .choices import ConsentPurpose, DonorSource
from .models import Donor
from .services import donor_create

# (phone, name, sex, age, blood group, weight kg, station code, rank)
DONORS = [
    ("+919000000301", "Rajesh Kumar Yadav", "M", 34, "B+", 72, "knp-kotwali", "Head Constable"),
    ("+919000000302", "Sunita Devi", "F", 29, "O+", 58, "knp-kotwali", "Sub-Inspector"),
    ("+919000000303", "Mohd. Irfan", "M", 41, "A+", 80, "knp-kotwali", "Constable"),
    ("+919000000304", "Pradeep Singh", "M", 27, "AB+", 68, "knp-moolganj", "Constable"),
    ("+919000000305", "Kavita Mishra", "F", 33, "B-", 55, "knp-feelkhana", "Sub-Inspector"),
    ("+919000000306", "Deepak Tiwari", "M", 38, "O-", 76, "knp-collectorganj", "Inspector"),
    ("+919000000307", "Anil Kushwaha", "M", 45, "A-", 82, "knp-cantt", "Head Constable"),
    ("+919000000308", "Pooja Verma", "F", 26, "O+", 52, "knp-chakeri", "Constable"),
    ("+919000000309", "Santosh Pal", "M", 31, "B+", 70, "knp-kalyanpur", "Constable"),
    ("+919000000310", "Ritu Saxena", "F", 36, "AB-", 60, "knp-govind-nagar", "Sub-Inspector"),
]


def demo_actor():
    """The Kotwali desk officer of the demo, who registers and verifies the donors."""
    return get_user_model().objects.filter(username="kotwali").first()


@transaction.atomic
def load(units: dict) -> int:
    """Register the demo donors missing; answer how many of them exist."""
    actor = demo_actor()
    today = timezone.localdate()
    phones = [row[0] for row in DONORS]
    existing = set(Donor.objects.filter(phone__in=phones).values_list("phone", flat=True))
    for phone, name, sex, age, group, weight, station, rank in DONORS:
        if phone in existing:
            continue
        donor_create(
            actor=actor,
            source=DonorSource.STAFF,
            consents=[ConsentPurpose.REGISTRY],
            phone=phone,
            name=name,
            sex=sex,
            date_of_birth=today.replace(year=today.year - age, day=1),
            blood_group=group,
            weight_kg=Decimal(weight),
            unit=units[station],
            is_police=True,
            rank=rank,
            locality="Kanpur",
        )
    return Donor.objects.filter(phone__in=phones).count()
