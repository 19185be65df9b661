"""The demo's thalassaemia children, for ``load_demo``: forty children of the force, each
with a plan (1 unit every 21 days or 2 units every 15, the presets), a guardian, a year of
transfusions recorded through ``transfusion_record_done`` / ``transfusion_record_missed``
(so every child's next due date is the calendar's own), and a circle of donors of its blood
group added through ``circle_add``.

Four named children come first (the README's walk-through and the coordinator's digest name
them); the rest come from a seeded random generator over the demo's names, so every fresh
load makes the same children with the same histories, relative to today.

The children, their guardians and circles go through the services (``patient_create``,
``circle_add``); a year of each child's transfusions is written in bulk (one INSERT, rows
shaped as ``transfusion_record_done`` leaves them, one audit event a child), then the
calendar's own ``patient_recompute_next_due`` stores the next due date and the open
transfusion, and a child late today is marked missed by ``transfusion_record_missed``.
Through ``transfusion_record_done`` one by one the demo took minutes (see
``donors/demo.py``).

Idempotent: a child is found by its registration number and left alone when it exists; its
history and circle are made only when it is created."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.choices import AuditAction
from donors.choices import ConsentPurpose, DonorSource
from donors.compatibility import can_receive
from donors.demo import (
    GENERATED_PHONE,
    STATION_WEIGHTS,
    SURNAMES,
    birth_date,
    demo_actor,
    pick_group,
)
from donors.models import Donor
from donors.services import donor_create

from .booking import circle_add
from .calendar import patient_recompute_next_due
from .children import patient_create
from .choices import OPEN_TRANSFUSION, TransfusionStatus
from .models import DonorCircle, Patient, Transfusion
from .transfusions import transfusion_record_missed

CHILDREN_COUNT = 40
GUARDIAN_PHONE = 919000020000  # +91 90000 2xxxx: the generated guardians' block
SEED = "bloodbond-demo-children"
HISTORY_DAYS = 365
MISSED_SHARE = 0.05  # a transfusion missed first, given a few days late
CIRCLE_SIZE = 3

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


# fmt: off
BOYS = [
    ("Aarav", "आरव"), ("Vihaan", "विहान"), ("Kabir", "कबीर"), ("Arjun", "अर्जुन"),
    ("Reyansh", "रेयांश"), ("Ayaan", "अयान"), ("Krishna", "कृष्णा"), ("Ishaan", "ईशान"),
    ("Aditya", "आदित्य"), ("Rudra", "रुद्र"), ("Yash", "यश"), ("Dev", "देव"),
]
GIRLS = [
    ("Riya", "रिया"), ("Anaya", "अनाया"), ("Aadhya", "आध्या"), ("Saanvi", "सान्वी"),
    ("Diya", "दिया"), ("Pari", "परी"), ("Kavya", "काव्या"), ("Myra", "मायरा"),
    ("Ira", "इरा"), ("Khushi", "ख़ुशी"), ("Tanvi", "तन्वी"), ("Navya", "नव्या"),
]
MOTHERS = [
    ("Sunita", "सुनीता"), ("Rekha", "रेखा"), ("Seema", "सीमा"), ("Geeta", "गीता"),
    ("Anita", "अनीता"), ("Mamta", "ममता"), ("Poonam", "पूनम"), ("Suman", "सुमन"),
]
FATHERS = [
    ("Ramesh", "रमेश"), ("Sanjay", "संजय"), ("Manoj", "मनोज"), ("Rakesh", "राकेश"),
    ("Dinesh", "दिनेश"), ("Pawan", "पवन"), ("Sushil", "सुशील"), ("Vinod", "विनोद"),
]
# fmt: on
STATIONS = list(STATION_WEIGHTS)  # the force's stations, where children are registered


def _named_children(today: date) -> list[dict]:
    return [
        {
            "registration_number": reg,
            "name": name,
            "sex": sex,
            "date_of_birth": today.replace(year=today.year - age, day=1),
            "blood_group": group,
            "units": n,
            "interval": days,
            "since": since,
            "station": station,
            "guardian": {"name": g_name, "relation": relation, "phone": phone},
        }
        for reg, name, sex, age, group, n, days, since, station, g_name, relation, phone in (
            CHILDREN
        )
    ]


def _generated_children(today: date) -> list[dict]:
    """The other children, the same on every load: a third of them older (2 units every
    15 days), the rest on 1 unit every 21 days; a few late today."""
    rng = random.Random(SEED)
    rows = []
    for i in range(CHILDREN_COUNT - len(CHILDREN)):
        sex = rng.choice("MF")
        older = rng.random() < 0.35
        n, interval = (2, 15) if older else (1, 21)
        script = 1 if rng.random() < 0.25 else 0
        surname = rng.choice(SURNAMES)[script]
        first = rng.choice(BOYS if sex == "M" else GIRLS)[script]
        mother = rng.random() < 0.65
        parent = rng.choice(MOTHERS if mother else FATHERS)[script]
        rows.append(
            {
                "registration_number": f"HTC-{105 + i:04d}",
                "name": f"{first} {surname}",
                "sex": sex,
                "date_of_birth": birth_date(
                    rng, today, rng.randint(12, 16) if older else rng.randint(3, 11)
                ),
                "blood_group": pick_group(rng),
                "units": n,
                "interval": interval,
                # Most on time; one in twelve three days late today (marked missed).
                "since": interval + 3 if rng.random() < 0.08 else rng.randint(0, interval - 1),
                "station": rng.choice(STATIONS),
                "guardian": {
                    "name": f"{parent} {surname}",
                    "relation": "mother" if mother else "father",
                    "phone": f"+{GUARDIAN_PHONE + i}",
                },
            }
        )
    return rows


def _history(rng: random.Random, today: date, row: dict) -> list[date]:
    """The days a child was transfused over the past year, ending ``since`` days ago: one
    interval apart, a day early or late now and then, a few days late after a missed one."""
    days = [today - timedelta(days=row["since"])]
    while True:
        late = rng.randint(3, 6) if rng.random() < MISSED_SHARE else rng.choice([-1, 0, 0, 0, 1, 2])
        earlier = days[-1] - timedelta(days=row["interval"] + late)
        if earlier < today - timedelta(days=HISTORY_DAYS):
            return days[::-1]
        days.append(earlier)


def _transfuse(patient: Patient, days: list[date], rng: random.Random, actor) -> None:
    """The transfusions after the first (given before registration), each due one interval
    after the one before and given on its day; then the calendar moves on, and a child
    more than two days late is marked missed."""
    plan = patient.plans.get()
    rows = [
        Transfusion(
            patient=patient,
            due_on=before + timedelta(days=plan.interval_days),
            done_on=day,
            status=TransfusionStatus.DONE,
            units_needed=plan.units_per_transfusion,
            units_given=plan.units_per_transfusion,
            pre_haemoglobin_g_dl=Decimal(f"{rng.uniform(8.6, 10.4):.1f}"),
            hospital=patient.hospital,
            recorded_by=actor,
        )
        for before, day in zip(days, days[1:], strict=False)
    ]
    Transfusion.objects.bulk_create(rows)
    audit.record(
        action=AuditAction.UPDATE,
        actor=actor,
        obj=patient,
        demo="transfusions recorded in bulk",
        rows=len(rows),
    )
    patient_recompute_next_due(patient)
    late = patient.transfusions.filter(status__in=OPEN_TRANSFUSION).order_by("due_on").first()
    if late and late.due_on < timezone.localdate() - timedelta(days=2):
        transfusion_record_missed(transfusion=late, notes="Did not come.", actor=actor)


def _circle(rng: random.Random, patient: Patient, pool: list[Donor], used: dict, actor) -> None:
    """A few donors of the child's own force for its circle: its blood group first, then
    any red-cell compatible group; donors in the fewest circles first."""
    force = patient.unit.code.split("-", 1)[0]
    near = [d for d in pool if d.unit.code.split("-", 1)[0] == force]
    same = [d for d in near if d.blood_group == patient.blood_group]
    other = [
        d
        for d in near
        if d.blood_group != patient.blood_group and can_receive(patient.blood_group, d.blood_group)
    ]
    taken = set(patient.circle.values_list("donor_id", flat=True))
    for group in (same, other):
        rng.shuffle(group)
        group.sort(key=lambda d: used.get(d.pk, 0))
        for donor in group:
            if len(taken) >= CIRCLE_SIZE:
                return
            if donor.pk in taken:
                continue
            circle_add(patient=patient, donor=donor, actor=actor)
            taken.add(donor.pk)
            used[donor.pk] = used.get(donor.pk, 0) + 1


def _circle_donors(units: dict, today: date) -> dict[str, Donor]:
    """The named circle donors, registered like any donor staff register; by child."""
    actor = demo_actor()
    found = {}
    for phone, name, sex, group, station, reg in DONORS:
        found[reg] = Donor.objects.filter(phone=phone).first() or donor_create(
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
    return found


@transaction.atomic
def load(units: dict) -> int:
    """Create the demo children missing, each with a year of transfusions and a circle;
    answer how many exist."""
    today = timezone.localdate()
    rows = _named_children(today) + _generated_children(today)
    named_circle = _circle_donors(units, today)
    existing = set(
        Patient.objects.filter(
            registration_number__in=[r["registration_number"] for r in rows]
        ).values_list("registration_number", flat=True)
    )
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    hospital_model = Patient._meta.get_field("hospital").related_model
    day_care = hospital_model.objects.filter(name__startswith="Thalassaemia Day-Care").first()
    pool = list(
        Donor.objects.filter(
            phone__gte=f"+{GENERATED_PHONE}", phone__lt=f"+{GENERATED_PHONE + 10**4}"
        )
        .select_related("unit")
        .order_by("phone")
    )
    rng = random.Random(SEED + "-history")
    used: dict[int, int] = {}
    for row in rows:
        reg = row["registration_number"]
        days = _history(rng, today, row)
        if reg in existing:
            continue
        patient = patient_create(
            actor=coordinator,
            name=row["name"],
            sex=row["sex"],
            date_of_birth=row["date_of_birth"],
            blood_group=row["blood_group"],
            unit=units[row["station"]],
            hospital=day_care,
            registration_number=reg,
            units_per_transfusion=row["units"],
            interval_days=row["interval"],
            last_transfused_on=days[0],
            consent_at=timezone.now(),
            consent_version="demo",
            consent_by=row["guardian"]["name"],
            guardians=[row["guardian"]],
        )
        _transfuse(patient, days, rng, coordinator)
        if (
            reg in named_circle
            and not DonorCircle.objects.filter(patient=patient, donor=named_circle[reg]).exists()
        ):
            circle_add(patient=patient, donor=named_circle[reg], actor=coordinator)
        _circle(rng, patient, pool, used, coordinator)
    return Patient.objects.filter(
        registration_number__in=[r["registration_number"] for r in rows]
    ).count()
