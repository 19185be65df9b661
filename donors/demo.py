"""Demo donors for ``load_demo``: a force's registry of 600 donors, registered in person by
the Kotwali desk officer through ``donor_create`` (so verified, with a registry consent row
and an audit line, like any donor staff register), spread over the force's stations with
India's blood-group shares.

Ten named donors come first (the open demo camp screens them, the README's walk-through
finds them); the rest are drawn from a seeded random generator, so every fresh load makes
the same people: Indian names, a quarter typed in Devanagari as a Hindi-speaking desk would,
mostly police personnel, mostly men. Phones are in the demo's fake block +91 90000 xxxxx.

**Two write paths, on purpose.** The named donors go through ``donor_create`` one by one.
The generated ones are written in bulk (``_bulk_register``), shaped exactly as
``donor_create`` writes a donor staff register in person (verified by the desk officer, a
registry consent row, the consent fields) with one audit event for the batch, then their
stored standing by ``donors.standing.refresh_all`` (the path the README names for rows
written around the services): through the services the whole demo took minutes, and
``make run`` runs it on every start. The dashboard's roll-ups follow from the triggers on
PostgreSQL and from ``dashboard/demo.py`` on both databases.

Idempotent: a donor is found by phone and left alone when registered already."""

import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.choices import AuditAction

from .choices import ConsentPurpose, ConsentSource, DonorSource
from .models import Consent, Donor
from .services import donor_create
from .standing import refresh_all

# (phone, name, sex, age, blood group, weight kg, station code, rank)
DONORS = [
    ("+919000000301", "Rajesh Kumar Yadav", "M", 34, "B+", 72, "knp-kotwali", "Head Constable"),
    ("+919000000302", "Sunita Devi", "F", 29, "O+", 58, "knp-kotwali", "Sub-Inspector"),
    ("+919000000303", "Mohd. Irfan", "M", 41, "A+", 80, "knp-kotwali", "Constable"),
    ("+919000000304", "Pradeep Singh", "M", 27, "AB+", 68, "knp-moolganj", "Constable"),
    ("+919000000305", "Kavita Mishra", "F", 33, "B-", 55, "knp-harbans-mohal", "Sub-Inspector"),
    ("+919000000306", "Deepak Tiwari", "M", 38, "O-", 76, "knp-collectorganj", "Inspector"),
    ("+919000000307", "Anil Kushwaha", "M", 45, "A-", 82, "knp-cantt", "Head Constable"),
    ("+919000000308", "Pooja Verma", "F", 26, "O+", 52, "knp-chakeri", "Constable"),
    ("+919000000309", "Santosh Pal", "M", 31, "B+", 70, "knp-kalyanpur", "Constable"),
    ("+919000000310", "Ritu Saxena", "F", 36, "AB-", 60, "knp-panki", "Sub-Inspector"),
]

# The registry the demo shows: the named donors above, the four circle donors of the
# thalassaemia demo, and the generated ones.
REGISTRY_SIZE = 600
CIRCLE_DONORS = 4
GENERATED = REGISTRY_SIZE - len(DONORS) - CIRCLE_DONORS
GENERATED_PHONE = 919000010000  # +91 90000 1xxxx: the generated donors' block
SEED = "bloodbond-demo-donors"

# India's ABO/RhD shares (as bench/seed.py; Bombay too rare for 600 people).
GROUP_SHARES = [
    ("O+", 37.0),
    ("B+", 32.0),
    ("A+", 22.0),
    ("AB+", 6.0),
    ("O-", 1.2),
    ("B-", 0.9),
    ("A-", 0.6),
    ("AB-", 0.3),
]
GROUP_CUM = list(accumulate(share for _group, share in GROUP_SHARES))

# Where the donors serve: the commissionerate's twelve stations and the neighbouring
# district's two, the big city stations heavier.
STATION_WEIGHTS = {
    "knp-kotwali": 9,
    "knp-moolganj": 6,
    "knp-collectorganj": 6,
    "knp-anwarganj": 5,
    "knp-cantt": 8,
    "knp-chakeri": 7,
    "knp-colonelganj": 6,
    "knp-harbans-mohal": 5,
    "knp-kalyanpur": 8,
    "knp-nawabganj": 6,
    "knp-panki": 7,
    "knp-kakadeo": 7,
    "kd-akbarpur": 5,
    "kd-rasulabad": 4,
}
LOCALITIES = {"kd-akbarpur": "Akbarpur", "kd-rasulabad": "Rasulabad"}
RANKS = ("Constable", "Constable", "Constable", "Head Constable", "Sub-Inspector", "Inspector")

# Names as (Latin, Devanagari).
# fmt: off
MEN = [
    ("Rajesh", "राजेश"), ("Sunil", "सुनील"), ("Amit", "अमित"), ("Anil", "अनिल"),
    ("Vijay", "विजय"), ("Sanjay", "संजय"), ("Manoj", "मनोज"), ("Deepak", "दीपक"),
    ("Ramesh", "रमेश"), ("Suresh", "सुरेश"), ("Rakesh", "राकेश"), ("Arvind", "अरविंद"),
    ("Pradeep", "प्रदीप"), ("Vikas", "विकास"), ("Rahul", "राहुल"), ("Rohit", "रोहित"),
    ("Ankit", "अंकित"), ("Gaurav", "गौरव"), ("Ashok", "अशोक"), ("Mukesh", "मुकेश"),
    ("Dinesh", "दिनेश"), ("Pankaj", "पंकज"), ("Sachin", "सचिन"), ("Yogesh", "योगेश"),
    ("Shivam", "शिवम"), ("Abhishek", "अभिषेक"), ("Satish", "सतीश"), ("Brijesh", "बृजेश"),
    ("Alok", "आलोक"), ("Ajay", "अजय"), ("Neeraj", "नीरज"), ("Ravindra", "रवींद्र"),
]
WOMEN = [
    ("Sunita", "सुनीता"), ("Kavita", "कविता"), ("Pooja", "पूजा"), ("Neha", "नेहा"),
    ("Priya", "प्रिया"), ("Anjali", "अंजलि"), ("Ritu", "रितु"), ("Meena", "मीना"),
    ("Rekha", "रेखा"), ("Seema", "सीमा"), ("Geeta", "गीता"), ("Shalini", "शालिनी"),
    ("Swati", "स्वाति"), ("Nisha", "निशा"), ("Preeti", "प्रीति"), ("Jyoti", "ज्योति"),
]
SURNAMES = [
    ("Yadav", "यादव"), ("Singh", "सिंह"), ("Verma", "वर्मा"), ("Mishra", "मिश्रा"),
    ("Tiwari", "तिवारी"), ("Shukla", "शुक्ला"), ("Pandey", "पांडेय"), ("Dubey", "दुबे"),
    ("Srivastava", "श्रीवास्तव"), ("Gupta", "गुप्ता"), ("Saxena", "सक्सेना"),
    ("Awasthi", "अवस्थी"), ("Dixit", "दीक्षित"), ("Katiyar", "कटियार"), ("Sachan", "सचान"),
    ("Pal", "पाल"), ("Kushwaha", "कुशवाहा"), ("Maurya", "मौर्य"), ("Chauhan", "चौहान"),
    ("Rathore", "राठौर"), ("Bajpai", "बाजपेयी"), ("Trivedi", "त्रिवेदी"), ("Nigam", "निगम"),
    ("Jaiswal", "जायसवाल"), ("Rajput", "राजपूत"), ("Sharma", "शर्मा"),
]
MUSLIM_MEN = [
    ("Irfan", "इरफ़ान"), ("Imran", "इमरान"), ("Salman", "सलमान"), ("Arif", "आरिफ़"),
    ("Shahid", "शाहिद"), ("Faisal", "फ़ैसल"),
]
MUSLIM_WOMEN = [("Shabnam", "शबनम"), ("Nazia", "नाज़िया"), ("Rukhsar", "रुख़सार")]
MUSLIM_SURNAMES = [
    ("Khan", "ख़ान"), ("Ansari", "अंसारी"), ("Siddiqui", "सिद्दीक़ी"), ("Qureshi", "क़ुरैशी"),
]
# fmt: on
DEVANAGARI_SHARE = 0.25


def demo_actor():
    """The Kotwali desk officer of the demo, who registers and verifies the donors."""
    return get_user_model().objects.filter(username="kotwali").first()


def pick_group(rng: random.Random) -> str:
    """A blood group drawn with India's shares."""
    x = rng.uniform(0, GROUP_CUM[-1])
    return next(g for (g, _s), cum in zip(GROUP_SHARES, GROUP_CUM, strict=True) if x <= cum)


def person_name(rng: random.Random, sex: str, *, devanagari: bool | None = None) -> str:
    """A realistic Indian name for ``sex``, in Latin or (a quarter) Devanagari letters."""
    if rng.random() < 0.12:
        first = rng.choice(MUSLIM_MEN if sex == "M" else MUSLIM_WOMEN)
        last = rng.choice(MUSLIM_SURNAMES)
    else:
        first = rng.choice(MEN if sex == "M" else WOMEN)
        last = rng.choice(SURNAMES)
    if devanagari is None:
        devanagari = rng.random() < DEVANAGARI_SHARE
    script = 1 if devanagari else 0
    return f"{first[script]} {last[script]}"


def birth_date(rng: random.Random, today: date, age: int) -> date:
    """A birthday ``age`` years ago, on a day every month has."""
    return date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))


def generated_donors(today: date) -> list[dict]:
    """The generated donors' fields for ``donor_create``, the same on every load."""
    rng = random.Random(SEED)
    stations = list(STATION_WEIGHTS)
    weights = list(STATION_WEIGHTS.values())
    rows = []
    for i in range(GENERATED):
        sex = "M" if rng.random() < 0.82 else "F"
        police = rng.random() < 0.75
        station = rng.choices(stations, weights)[0]
        weight = rng.randint(58, 92) if sex == "M" else rng.randint(48, 75)
        rows.append(
            {
                "phone": f"+{GENERATED_PHONE + i}",
                "name": person_name(rng, sex),
                "sex": sex,
                "date_of_birth": birth_date(rng, today, rng.randint(20, 55)),
                "blood_group": pick_group(rng),
                "weight_kg": Decimal(weight),
                "station": station,
                "is_police": police,
                "rank": rng.choice(RANKS) if police else "",
                "locality": LOCALITIES.get(station, "Kanpur"),
                "preferred_language": "hi" if rng.random() < 0.7 else "en",
                "living_blood_bank": police and rng.random() < 0.15,
                # Many gave before the portal: a donation reported, one to three years ago.
                "external_last_donation_on": (
                    today - timedelta(days=rng.randint(400, 1100)) if rng.random() < 0.45 else None
                ),
            }
        )
    return rows


def named_donors(today: date) -> list[dict]:
    return [
        {
            "phone": phone,
            "name": name,
            "sex": sex,
            "date_of_birth": today.replace(year=today.year - age, day=1),
            "blood_group": group,
            "weight_kg": Decimal(weight),
            "station": station,
            "is_police": True,
            "rank": rank,
            "locality": "Kanpur",
        }
        for phone, name, sex, age, group, weight, station, rank in DONORS
    ]


@transaction.atomic
def load(units: dict) -> int:
    """Register the demo donors missing; answer how many of them exist."""
    actor = demo_actor()
    today = timezone.localdate()
    named, generated = named_donors(today), generated_donors(today)
    phones = [row["phone"] for row in named + generated]
    existing = set(Donor.objects.filter(phone__in=phones).values_list("phone", flat=True))
    for row in named:
        if row["phone"] in existing:
            continue
        fields = dict(row)
        donor_create(
            actor=actor,
            source=DonorSource.STAFF,
            consents=[ConsentPurpose.REGISTRY],
            unit=units[fields.pop("station")],
            **fields,
        )
    _bulk_register([r for r in generated if r["phone"] not in existing], units, actor)
    return Donor.objects.filter(phone__in=phones).count()


def _bulk_register(rows: list[dict], units: dict, actor) -> None:
    """The generated donors in two INSERTs, as ``donor_create`` registers a donor in person
    with the registry consent; their standing (a donation reported) stored after."""
    if not rows:
        return
    now, version = timezone.now(), settings.DONOR_CONSENT_VERSION
    donors = []
    for row in rows:
        fields = dict(row)
        unit = units[fields.pop("station")]
        donors.append(
            Donor(
                source=DonorSource.STAFF,
                created_by=actor,
                verified_at=now,
                verified_by=actor,
                consent_at=now,
                consent_version=version,
                unit=unit,
                **fields,
            )
        )
    Donor.objects.bulk_create(donors)
    Consent.objects.bulk_create(
        Consent(
            donor=donor,
            purpose=ConsentPurpose.REGISTRY,
            source=ConsentSource.STAFF,
            given_at=now,
            notice_version=version,
            recorded_by=actor,
        )
        for donor in donors
    )
    refresh_all()
    audit.record(
        action=AuditAction.CREATE,
        actor=actor,
        demo="donors registered in bulk",
        rows=len(donors),
        source=DonorSource.STAFF,
        consents=[ConsentPurpose.REGISTRY.value],
    )
