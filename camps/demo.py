"""The camps' demo rows, for ``load_demo``: two partner blood centres, a day-care centre with
its emergency contacts, two Kotwali camps, and at the open camp a few donors collected with
bag numbers and one deferred, recorded through the camp table's own service, so the camp
page shows live totals. Runs after ``donors.demo.load`` (INSTALLED_APPS order).

Idempotent: a donor already screened at the camp is not screened again."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from donors.choices import DeferralCategory, DonationOutcome
from donors.demo import demo_actor
from donors.models import Donation, Donor

from .choices import CampStatus
from .models import BloodCentre, Camp, Hospital
from .services import camp_donation_record

DEMO_CAMP = "Kotwali Police Lines camp"

# (donor phone, outcome, bag number, volume ml, haemoglobin g/dL, weight kg, BP mmHg,
# deferral)
SCREENINGS = [
    ("+919000000301", DonationOutcome.COLLECTED, "KPL-0001", 450, "14.2", 72, (124, 82), ""),
    ("+919000000302", DonationOutcome.COLLECTED, "KPL-0002", 350, "12.9", 58, (112, 74), ""),
    ("+919000000303", DonationOutcome.COLLECTED, "KPL-0003", 450, "15.1", 80, (132, 86), ""),
    ("+919000000304", DonationOutcome.COLLECTED, "KPL-0004", 450, "13.6", 68, (118, 78), ""),
    (
        "+919000000305",
        DonationOutcome.DEFERRED,
        "",
        None,
        "11.4",
        55,
        (150, 96),
        DeferralCategory.SCREENING,
    ),
]


@transaction.atomic
def load(units: dict) -> int:
    """Create the partners and camps missing, screen the demo donors not yet screened at
    the open demo camp; answer how many screenings the camp has."""
    partners_and_camps(units)
    camp = Camp.objects.filter(
        name=DEMO_CAMP, unit=units["knp-kotwali"], status=CampStatus.OPEN
    ).first()
    if camp is None:  # closed since by hand: leave it as it is
        return 0
    actor = demo_actor()
    donors = {d.phone: d for d in Donor.objects.filter(phone__in=[s[0] for s in SCREENINGS])}
    screened = set(Donation.objects.filter(camp=camp).values_list("donor__phone", flat=True))
    for phone, outcome, bag, volume, hb, weight, (systolic, diastolic), deferral in SCREENINGS:
        if phone in screened or phone not in donors:
            continue
        camp_donation_record(
            camp=camp,
            donor=donors[phone],
            actor=actor,
            outcome=outcome,
            bag_number=bag,
            bag_volume_ml=volume,
            haemoglobin_g_dl=Decimal(hb),
            weight_kg=Decimal(weight),
            bp_systolic=systolic,
            bp_diastolic=diastolic,
            deferral_category=deferral,
        )
    return Donation.objects.filter(camp=camp).count()


def partners_and_camps(units: dict) -> None:
    """Two partner blood centres, a day-care centre with its emergency contacts, and two
    Kotwali camps (one open today, one planned). Looked up by natural keys, so a second
    run changes nothing."""
    hallet, _ = BloodCentre.objects.get_or_create(
        licence_number="UP/KNP/BB/001",
        defaults={
            "name": "LLR (Hallet) Hospital Blood Centre",
            "address": "Swaroop Nagar, Kanpur",
            "phone": "+915122535483",
            "contact_person": "Dr. Blood Bank Officer",
        },
    )
    BloodCentre.objects.get_or_create(
        licence_number="UP/KNP/BB/002",
        defaults={"name": "Ursula Horsman Memorial Hospital Blood Centre"},
    )
    day_care, created = Hospital.objects.get_or_create(
        name="Thalassaemia Day-Care Centre, LLR Hospital",
        defaults={"kind": "day_care", "address": "Swaroop Nagar, Kanpur"},
    )
    if created:
        day_care.contacts.create(
            name="Dr. Paediatric Haematologist", role="In charge", phone="+919450000001"
        )
        day_care.contacts.create(name="Day-care nurse", role="Duty", phone="+919450000002")
    today = timezone.localdate()
    for name, held_on, status in (
        ("Kotwali Police Lines camp", today, "open"),
        ("Kotwali Raksha Bandhan camp", today + timedelta(days=21), "planned"),
    ):
        Camp.objects.get_or_create(
            name=name,
            unit=units["knp-kotwali"],
            defaults={
                "held_on": held_on,
                "venue": "Police Lines, Kanpur",
                "blood_centre": hallet,
                "target_donors": 150,
                "status": status,
            },
        )
