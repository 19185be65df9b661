"""Demo screenings at the demo's open camp, for ``load_demo``: a few donors collected with
bag numbers and one deferred, recorded through the camp table's own service, so the camp
page shows live totals. Runs after ``donors.demo.load``.

Idempotent: a donor already screened at the camp is not screened again."""

from decimal import Decimal

from django.db import transaction

from donors.choices import DeferralCategory, DonationOutcome
from donors.demo import demo_actor
from donors.models import Donation, Donor

from .choices import CampStatus
from .models import Camp
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
    """Screen the demo donors not yet screened at the open demo camp; answer how many
    screenings the camp has."""
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
