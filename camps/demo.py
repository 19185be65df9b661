"""The camps' demo rows, for ``load_demo``: two partner blood centres, a day-care centre with
its emergency contacts, two Kotwali camps, and at the open camp a few donors collected with
bag numbers and one deferred, recorded through the camp table's own service, so the camp
page shows live totals; fifteen camps held over the past year across the force, each
planned, opened, screened and closed through the camp services (so the dashboard has a
year of curves); and a camp planned for tomorrow. Runs after ``donors.demo.load``
(INSTALLED_APPS order).

The past camps' screenings come from a seeded random generator over the generated donors:
each donor gives only when the pre-screen allows (age and weight as registered, the
interval after a donation reported or given, the deferral after a failed screening).
The camps are planned, opened and closed through the camp services; their screenings are
written in bulk (two INSERTs, rows shaped as ``donation_record`` writes a collection or a
deferral at screening, one audit event a camp), then the donors' stored standing by
``donors.standing.refresh_all``: through ``camp_donation_record`` one by one the demo took
minutes (see ``donors/demo.py``). Today's open camp screens through the camp table's
service, as before.

Idempotent: a camp is found by name and unit, and a camp that exists is not screened again."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.choices import AuditAction
from donors.choices import DeferralCategory, DonationOutcome
from donors.demo import GENERATED_PHONE, demo_actor
from donors.models import Deferral, Donation, Donor
from donors.services import default_deferral_until
from donors.standing import refresh_all

from .choices import CampStatus
from .models import BloodCentre, Camp, Hospital
from .services import camp_close, camp_create, camp_donation_record, camp_open

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


# The camps held over the past year: (name, station code, days ago, target donors). One
# about every 24 days, over the commissionerate's three zones and Kanpur Dehat.
PAST_CAMPS = [
    ("Moolganj Thana camp", "knp-moolganj", 352, 60),
    ("Cantt Reserve Police Lines camp", "knp-cantt", 330, 80),
    ("Kalyanpur IIT Gate camp", "knp-kalyanpur", 305, 60),
    ("Panki Industrial Area camp", "knp-panki", 282, 50),
    ("Akbarpur Tehsil camp", "kd-akbarpur", 259, 50),
    ("Colonelganj Thana camp", "knp-colonelganj", 236, 60),
    ("Chakeri Airport Road camp", "knp-chakeri", 212, 50),
    ("Collectorganj Mandi camp", "knp-collectorganj", 189, 60),
    ("Kotwali Town Hall camp", "knp-kotwali", 165, 80),
    ("Kakadeo Coaching Mandi camp", "knp-kakadeo", 141, 50),
    ("Nawabganj Thana camp", "knp-nawabganj", 118, 50),
    ("Rasulabad Thana camp", "kd-rasulabad", 94, 40),
    ("Harbans Mohal Market camp", "knp-harbans-mohal", 70, 50),
    ("Anwarganj Railway Colony camp", "knp-anwarganj", 47, 60),
    ("Cantt Sadar Bazaar camp", "knp-cantt", 23, 70),
]
# Tomorrow's camp, planned and announced: (name, station code, target donors).
NEXT_CAMP = ("Kalyanpur Police Lines camp", "knp-kalyanpur", 80)
# A database loaded before the force had three zones holds these camps under their former
# names (at stations the demo no longer lists): they count as held, so a load over it adds
# no second history (whose bag numbers would collide) and no second camp for tomorrow.
FORMERLY = {
    "Panki Industrial Area camp": "Kidwai Nagar Community Hall camp",
    "Colonelganj Thana camp": "Govind Nagar Thana camp",
    "Kakadeo Coaching Mandi camp": "Babupurwa Colony camp",
    "Harbans Mohal Market camp": "Feelkhana Market camp",
    "Kalyanpur Police Lines camp": "Kidwai Nagar Police Lines camp",
}
SEED = "bloodbond-demo-camps"
DEFERRED_SHARE = 0.08  # screened and deferred (low haemoglobin, BP) at a camp


@transaction.atomic
def load(units: dict) -> int:
    """Create the partners and camps missing, screen the demo donors not yet screened at
    the open demo camp, hold the past year's camps; answer how many screenings the open
    camp has."""
    partners_and_camps(units)
    past_camps(units)
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
    Kotwali camps (one open today, one planned), and tomorrow's camp, planned through the
    camp services. Looked up by natural keys, so a second run changes nothing."""
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
    next_name, next_code, next_target = NEXT_CAMP
    for name, code, held_on, status, target in (
        ("Kotwali Police Lines camp", "knp-kotwali", today, "open", 150),
        ("Kotwali Raksha Bandhan camp", "knp-kotwali", today + timedelta(days=21), "planned", 150),
        (next_name, next_code, today + timedelta(days=1), "planned", next_target),
    ):
        unit = units[code]
        if Camp.objects.filter(name=name, unit=unit).exists() or _held_formerly(name):
            continue
        actor = camp_actor(unit)
        camp = camp_create(
            actor=actor,
            name=name,
            held_on=held_on,
            venue="Police Lines, Kanpur",
            unit=unit,
            blood_centre=hallet,
            target_donors=target,
        )
        if status == CampStatus.OPEN:
            camp_open(camp=camp, actor=actor)


def _held_formerly(name: str) -> bool:
    """Whether a database loaded by an older demo holds this camp under its former name."""
    return name in FORMERLY and Camp.objects.filter(name=FORMERLY[name]).exists()


def camp_actor(unit):
    """Who runs a demo camp: the station's own demo desk officer, else the coordinator."""
    users = get_user_model().objects
    return (
        users.filter(unit=unit, role="staff").order_by("pk").first()
        or users.filter(username="coordinator").first()
    )


def _interval(sex: str) -> int:
    if sex == "M":
        return settings.DONOR_INTERVAL_DAYS_MALE
    if sex == "F":
        return settings.DONOR_INTERVAL_DAYS_FEMALE
    return settings.DONOR_INTERVAL_DAYS_OTHER


def _district(code: str) -> str:
    """The force a station belongs to, by its code: donors travel to camps of their own."""
    return code.split("-", 1)[0]


def _screening(rng: random.Random, donor: Donor, deferred: bool, bag: str) -> dict:
    """A screening's measurements: in range for a collection, low haemoglobin otherwise."""
    women = donor.sex == "F"
    fields = {
        "weight_kg": donor.weight_kg,
        "bp_systolic": rng.randint(108, 136),
        "bp_diastolic": rng.randint(66, 88),
    }
    if deferred:
        hb = rng.uniform(10.8, 12.3)
        return fields | {
            "outcome": DonationOutcome.DEFERRED,
            "haemoglobin_g_dl": Decimal(f"{hb:.1f}"),
            "deferral_category": DeferralCategory.SCREENING,
        }
    hb = rng.uniform(12.6, 14.6) if women else rng.uniform(12.8, 16.2)
    big = donor.weight_kg > Decimal(settings.DONOR_450ML_OVER_WEIGHT_KG)
    return fields | {
        "outcome": DonationOutcome.COLLECTED,
        "haemoglobin_g_dl": Decimal(f"{hb:.1f}"),
        "bag_number": bag,
        "bag_volume_ml": 450 if big else 350,
    }


def past_camps(units: dict) -> int:
    """Hold the past year's camps missing (oldest first, as the donors' history builds):
    plan, open, screen, close. Answers how many screenings were written."""
    today = timezone.localdate()
    names = [name for name, *_rest in PAST_CAMPS]
    known = names + [FORMERLY[n] for n in names if n in FORMERLY]
    held = set(Camp.objects.filter(name__in=known).values_list("name", flat=True))
    held |= {name for name, former in FORMERLY.items() if former in held}
    centres = list(BloodCentre.objects.filter(licence_number__startswith="UP/KNP/BB/"))
    centres.sort(key=lambda c: c.licence_number)
    pool = list(
        Donor.objects.filter(
            phone__gte=f"+{GENERATED_PHONE}", phone__lt=f"+{GENERATED_PHONE + 10**4}"
        )
        .select_related("unit")
        .order_by("phone")
    )
    rng = random.Random(SEED)
    # donor id → first day the pre-screen lets them give (after a donation reported)
    free_from: dict[int, date] = {
        d.pk: d.external_last_donation_on + timedelta(days=_interval(d.sex))
        for d in pool
        if d.external_last_donation_on
    }
    donations, deferrals = [], []
    for index, (name, code, days_ago, target) in enumerate(PAST_CAMPS):
        unit, day = units[code], today - timedelta(days=days_ago)
        centre = centres[index % len(centres)]
        donors = _camp_donors(rng, pool, code, day, target, free_from)
        screenings = []
        for n, donor in enumerate(donors, start=1):
            deferred = rng.random() < DEFERRED_SHARE
            screenings.append(
                (donor, _screening(rng, donor, deferred, f"D{index + 1:02d}-{n:03d}"))
            )
            if deferred:
                until = default_deferral_until(DeferralCategory.SCREENING, day)
                free_from[donor.pk] = until or day + timedelta(days=90)
            else:
                free_from[donor.pk] = day + timedelta(days=_interval(donor.sex))
        if name in held:
            continue
        actor = camp_actor(unit)
        camp = camp_create(
            actor=actor,
            name=name,
            held_on=day,
            venue=name.removesuffix(" camp") + ", Kanpur",
            unit=unit,
            blood_centre=centre,
            target_donors=target,
        )
        camp_open(camp=camp, actor=actor)
        for donor, screening in screenings:
            category = screening.pop("deferral_category", "")
            donations.append(
                Donation(
                    donor=donor,
                    donated_on=day,
                    blood_centre=centre,
                    camp=camp,
                    recorded_by=actor,
                    **screening,
                )
            )
            if category:
                until = default_deferral_until(category, day)
                deferrals.append(
                    Deferral(
                        donor=donor,
                        category=category,
                        starts_on=day,
                        until=until,
                        recorded_by=actor,
                    )
                )
        audit.record(
            action=AuditAction.CREATE,
            actor=actor,
            obj=camp,
            demo="screenings recorded in bulk",
            rows=len(screenings),
        )
        camp_close(camp=camp, actor=actor)
    if donations:
        Donation.objects.bulk_create(donations)
        Deferral.objects.bulk_create(deferrals)
        refresh_all()
    return len(donations)


def _camp_donors(rng, pool, code, day, target, free_from) -> list[Donor]:
    """Who comes to a camp: donors of its force free to give that day, its own station's
    first; about three in four of the target."""
    free = [
        d
        for d in pool
        if _district(d.unit.code) == _district(code) and free_from.get(d.pk, day) <= day
    ]
    own = [d for d in free if d.unit.code == code]
    others = [d for d in free if d.unit.code != code]
    rng.shuffle(own)
    rng.shuffle(others)
    wanted = round(target * rng.uniform(0.6, 0.9))
    chosen = (own + others)[:wanted]
    chosen.sort(key=lambda d: d.phone)
    return chosen
