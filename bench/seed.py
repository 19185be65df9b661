"""A state at scale, written with PostgreSQL COPY: police units, donors, five years of
donations, camps with their blood centres, thalassaemia children with plans, transfusion
history, guardians, donor circles and a few assignments.

    createdb -h 127.0.0.1 -U postgres bb_bench_state
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state \\
        uv run python bench/seed.py --scale state

``--scale state`` is 1,000 police units, 1,000,000 donors, about 5,000,000 donations over 5
years, 20,000 camps and 10,000 children; ``district`` is the same code at 1/50 (20,000
donors); ``tiny`` is a few hundred rows for the unit test. The database must be named
``bb_bench…``: the seeder empties it first, so it refuses the development and test databases.

Why COPY and not the services: a million ``donor_create`` calls take hours. The rows are
shaped as the services would write them (E.164 phones, donations spaced by the donor's
interval, a screening deferral for each donation deferred at screening, each child's next
due date from its last transfusion), and every column list comes from the model's concrete
fields: a column this file does not know gets the field's default (or NULL, or ""), so a
new nullable column needs no change here. Foreign keys are not checked row by row during the
load (``session_replication_role = replica``) and the big tables' plain indexes are dropped
and rebuilt after it; the ids are assigned here, so the rows point at each other correctly.
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from pgcopy import copy_rows, plain_indexes

SCALES = {
    # zones, forces (districts/commissionerates), circles, stations: 1 + 8 + 75 + 225 + 691
    # = 1,000 units at state scale.
    "state": {"zones": 8, "forces": 75, "circles": 225, "stations": 691, "donors": 1_000_000},
    "district": {"zones": 1, "forces": 1, "circles": 4, "stations": 13, "donors": 20_000},
    "tiny": {"zones": 1, "forces": 2, "circles": 3, "stations": 6, "donors": 400},
}
YEARS = 5
DONATIONS_PER_DONOR = 5.0  # 5,000,000 donations for 1,000,000 donors over five years
CAMPS_PER_DONOR = 1 / 50  # 20,000 camps
CHILDREN_PER_DONOR = 1 / 100  # 10,000 children
CENTRES_PER_FORCE = 2

# India's ABO/RhD shares: O+ ~37 %, B+ ~32 %, A+ ~22 %, AB+ ~7 %, the negatives ~2 % in
# all, Bombay about 1 in 50,000 here (a handful in a million).
GROUP_SHARES = [
    ("O+", 37.0),
    ("B+", 32.0),
    ("A+", 22.0),
    ("AB+", 6.998),
    ("O-", 0.8),
    ("B-", 0.6),
    ("A-", 0.4),
    ("AB-", 0.2),
    ("Oh", 0.002),
]
GROUPS = [group for group, _share in GROUP_SHARES]
GROUP_CUM = list(accumulate(share for _group, share in GROUP_SHARES))

FIRST_NAMES = (  # noqa: SIM905
    "Aarav Aditi Ajay Akash Amit Anil Anita Anjali Ankit Arjun Asha Deepak Divya Gaurav "
    "Geeta Harish Kavita Kiran Lakshmi Manoj Meena Mohit Neha Nikhil Pooja Pradeep Priya "
    "Rahul Rajesh Rakesh Ramesh Ravi Rekha Ritu Rohit Sachin Sandeep Sanjay Seema Shalini "
    "Shivam Sneha Sonia Sunil Sunita Suresh Swati Tarun Usha Varun Vijay Vikas Vinod Yogesh"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Agarwal Bajpai Chauhan Dixit Dubey Gupta Jaiswal Katiyar Kumar Maurya Mishra Nigam "
    "Pal Pandey Patel Rajput Rathore Saxena Shukla Singh Srivastava Tiwari Tripathi Verma "
    "Yadav Awasthi Bhatt Chaturvedi Dwivedi Kushwaha Rastogi Sachan Sharma Trivedi Vishwakarma"
).split()
RANKS = ("Constable", "Head Constable", "Sub-Inspector", "Inspector")
DEFERRAL_DAYS = {"tattoo": 365, "malaria": 90, "antibiotics": 14, "minor_surgery": 182}
PHENOTYPES = ("C+ c+ E- e+ K-", "C+ c- E- e+ K-", "C- c+ E+ e+ K-", "C+ c+ E+ e+ K+")


# Indian mobile prefixes every number of which phonenumbers (and so donors.phones) takes as
# a mobile: a seeded donor can be edited and saved through the form.
MOBILE_PREFIXES = ("90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "70", "72")


def phone(i: int) -> str:
    """Donor ``i``'s unique E.164 mobile: i scrambled by a multiplier prime to 10 (a
    bijection on 8 digits), under a prefix; guardians use +9160, never a donor's prefix."""
    prefix = MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]
    return f"+91{prefix}{(i * 7_919_001 + 12_345) % 10**8:08d}"


@dataclass
class Counts:
    scale: str
    zones: int
    forces: int
    circles: int
    stations: int
    donors: int

    @property
    def camps(self) -> int:
        return max(4, round(self.donors * CAMPS_PER_DONOR))

    @property
    def children(self) -> int:
        return max(6, round(self.donors * CHILDREN_PER_DONOR))


def counts_for(scale: str) -> Counts:
    return Counts(scale=scale, **SCALES[scale])


# --- The tree ---------------------------------------------------------------------------


@dataclass
class Unit:
    id: int
    path: str
    depth: int
    kind: str
    code: str
    name: str
    force: int  # index of the force (district/commissionerate) it belongs to, or -1
    children: int = 0


def build_tree(counts: Counts) -> list[Unit]:
    """State → zones → forces → circles → stations, depth first so ids follow the paths;
    paths as treebeard's MP_Node writes them (4 base-36 characters a level)."""
    from accounts.models import PoliceUnit

    def step(parent: Unit | None, n: int) -> str:
        key = PoliceUnit._int2str(n).rjust(PoliceUnit.steplen, PoliceUnit.alphabet[0])
        return (parent.path if parent else "") + key

    units: list[Unit] = []

    def add(parent, kind, code, name, force=-1):
        if parent is not None:
            parent.children += 1
        unit = Unit(
            id=len(units) + 1,
            path=step(parent, parent.children if parent else 1),
            depth=(parent.depth + 1) if parent else 1,
            kind=kind,
            code=code,
            name=name,
            force=force,
        )
        units.append(unit)
        return unit

    state = add(None, "state", "st", "Bench State")
    forces_in_zone = _spread(counts.forces, counts.zones)
    circles_in_force = _spread(counts.circles, counts.forces)
    stations_in_circle = _spread(counts.stations, counts.circles)
    force_no = circle_no = 0
    for z in range(counts.zones):
        zone = add(state, "zone", f"z{z + 1:02d}", f"Zone {z + 1}")
        for _f in range(forces_in_zone[z]):
            # About one force in ten is a commissionerate (UP has 7 in 75 districts).
            kind = "commissionerate" if force_no % 10 == 3 else "district"
            label = "Commissionerate" if kind == "commissionerate" else "District"
            force = add(zone, kind, f"f{force_no + 1:03d}", f"{label} {force_no + 1}", force_no)
            for _c in range(circles_in_force[force_no]):
                circle = add(
                    force, "circle", f"c{circle_no + 1:04d}", f"Circle {circle_no + 1}", force_no
                )
                for s in range(stations_in_circle[circle_no]):
                    add(
                        circle,
                        "station",
                        f"c{circle_no + 1:04d}-ps{s + 1}",
                        f"Police Station {circle_no + 1}-{s + 1}",
                        force_no,
                    )
                circle_no += 1
            force_no += 1
    return units


def _spread(total: int, buckets: int) -> list[int]:
    """``total`` split as evenly as possible over ``buckets`` (each at least one)."""
    base, extra = divmod(total, buckets)
    return [max(1, base + (1 if i < extra else 0)) for i in range(buckets)]


# --- The seeding ------------------------------------------------------------------------


class Seeder:
    def __init__(self, counts: Counts, *, seed: int = 12, today: date | None = None, out=None):
        from django.utils import timezone

        self.counts = counts
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.start = self.today - timedelta(days=round(365.25 * YEARS))
        self.out = out or sys.stdout
        self.figures: dict[str, int] = {}

    def usable_indexes(self) -> None:
        """The standing UPDATE leaves HOT chains that the rebuilt indexes on the changed
        rows flag as "not for snapshots older than me" (pg_index.indcheckxmin): while any
        older transaction is open, in any database of the cluster, the planner may not use
        them. VACUUM prunes the chains and a REINDEX then makes them usable at once."""
        from django.db import connection

        if connection.in_atomic_block:  # a test's transaction: VACUUM cannot run, nor matter
            return
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM donors_donor")
            cursor.execute(
                """SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                   WHERE x.indrelid = 'donors_donor'::regclass AND x.indcheckxmin"""
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'REINDEX INDEX "{name}"')
        self.say(f"  {'VACUUM, REINDEX of flagged indexes':<42} {time.perf_counter() - t:7.1f} s")

    def eligible_pool(self) -> None:
        """The eligible pool's steps (donors.pool): the load bypassed their triggers and
        emptied them, so the forecast and the dashboard would count the donor rows instead,
        as no migrated database does. Rebuilt as ``refresh_eligibility`` does, then
        vacuumed, so the counts read the steps' index alone, as autovacuum leaves it."""
        from django.db import connection

        from donors import pool

        t = time.perf_counter()
        pool.rebuild()
        if not connection.in_atomic_block:  # a test's transaction: VACUUM cannot run
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE donors_eligiblepoolstep")
        self.say(
            f"  {'eligible pool steps (refresh_eligibility)':<42} {time.perf_counter() - t:7.1f} s"
        )

    def standing(self, cursor) -> None:
        """Each donor's stored standing from the rows just copied, by the same SQL as the
        data migration (donors.standing), before the indexes are rebuilt."""
        from donors.standing import refresh_all

        refresh_all()

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run(self, *, analyse: bool = True) -> dict[str, int]:
        from django.db import connection, transaction

        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            self.empty(cursor)
            dropped = self.drop_indexes(cursor)
            for label, step in (
                ("police units", self.units),
                ("blood centres and hospitals", self.partners),
                ("camps", self.camps),
                ("donors", self.donors),
                ("donations and deferrals", self.donations),
                ("donor standing (next_eligible_on)", self.standing),
                ("children, plans, transfusions, circles", self.children),
            ):
                t = time.perf_counter()
                step(cursor)
                self.say(f"  {label:<42} {time.perf_counter() - t:7.1f} s")
            t = time.perf_counter()
            for _table, _name, definition in dropped:
                cursor.execute(definition)
            self.say(f"  {'indexes rebuilt':<42} {time.perf_counter() - t:7.1f} s")
            self.reset_sequences(cursor)
            cursor.execute("SET LOCAL session_replication_role = origin")
            self.users()
        self.usable_indexes()
        if analyse:
            t = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.say(f"  {'ANALYZE':<42} {time.perf_counter() - t:7.1f} s")
        # The load bypassed the triggers (replica role): the dashboard's roll-ups are built
        # from scratch, as `manage.py rebuild_figures` does, then vacuumed (the reads are
        # index-only scans, which fetch the heap until the visibility map is set, and a new
        # database's statistics never wake autovacuum).
        from dashboard.rollups import figures_rebuild, vacuum_rollups

        t = time.perf_counter()
        figures_rebuild()
        if analyse:
            vacuum_rollups()  # VACUUM (ANALYZE) of each roll-up; nothing inside a transaction
        self.say(f"  {'dashboard roll-ups (rebuild_figures)':<42} {time.perf_counter() - t:7.1f} s")
        self.eligible_pool()
        self.figures["seconds"] = round(time.perf_counter() - began)
        return self.figures

    # - housekeeping -

    def _models(self):
        from django.apps import apps

        from accounts.models import AuditEvent, PoliceUnit, User
        from camps.models import BloodCentre, Camp, Hospital
        from donors.models import Deferral, Donation, Donor
        from thalassemia.models import (
            Assignment,
            DonorCircle,
            Guardian,
            Patient,
            Transfusion,
            TransfusionPlan,
        )

        seeded = [
            PoliceUnit,
            BloodCentre,
            Hospital,
            Camp,
            Donor,
            Donation,
            Deferral,
            Patient,
            Guardian,
            TransfusionPlan,
            Transfusion,
            DonorCircle,
            Assignment,
        ]
        project = {
            "accounts",
            "donors",
            "camps",
            "thalassemia",
            "notifications",
            "calldesk",
            "dashboard",
        }
        every = [m for m in apps.get_models() if m._meta.app_label in project]
        return seeded, every + [User, AuditEvent]

    def empty(self, cursor):
        _seeded, every = self._models()
        tables = sorted({m._meta.db_table for m in every})
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )

    def drop_indexes(self, cursor):
        from camps.models import Camp
        from donors.models import Deferral, Donation, Donor
        from thalassemia.models import Transfusion

        dropped = []
        for model in (Donor, Donation, Deferral, Camp, Transfusion):
            table = model._meta.db_table
            for name, definition in plain_indexes(cursor, table):
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((table, name, definition))
        return dropped

    def reset_sequences(self, cursor):
        seeded, _every = self._models()
        for model in seeded:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )

    def copy(self, cursor, model, names, rows) -> int:
        written = copy_rows(cursor, model, names, rows, now=self.now)
        self.figures[model._meta.model_name] = self.figures.get(model._meta.model_name, 0) + written
        return written

    # - units and partners -

    def units(self, cursor):
        from accounts.models import PoliceUnit

        self.tree = build_tree(self.counts)
        self.stations = [u for u in self.tree if u.kind == "station"]
        self.force_units = [u for u in self.tree if u.kind in ("district", "commissionerate")]
        self.copy(
            cursor,
            PoliceUnit,
            ["id", "path", "depth", "numchild", "name", "kind", "code"],
            (
                (str(u.id), u.path, str(u.depth), str(u.children), u.name, u.kind, u.code)
                for u in self.tree
            ),
        )

    def partners(self, cursor):
        from camps.models import BloodCentre, Hospital

        forces = len(self.force_units)
        self.centres_of_force = [
            [f * CENTRES_PER_FORCE + k + 1 for k in range(CENTRES_PER_FORCE)] for f in range(forces)
        ]
        self.copy(
            cursor,
            BloodCentre,
            ["id", "name", "licence_number"],
            (
                (str(cid), f"Blood Centre {cid} ({self.force_units[f].name})", f"BENCH/BC/{cid}")
                for f in range(forces)
                for cid in self.centres_of_force[f]
            ),
        )
        self.copy(
            cursor,
            Hospital,
            ["id", "name", "kind"],
            (
                (str(f + 1), f"Thalassaemia Day-Care, {u.name}", "day_care")
                for f, u in enumerate(self.force_units)
            ),
        )

    # - camps -

    def camps(self, cursor):
        """Camps spread over the five years, at every station; past ones closed (a few
        cancelled), a few planned in the next two months. ``self.station_camps`` keeps each
        station's closed camps by date for the donations to land in."""
        from camps.models import Camp

        rng, total = self.rng, self.counts.camps
        span = (self.today - self.start).days
        self.station_camps = {u.id: [] for u in self.stations}
        rows = []
        for cid in range(1, total + 1):
            station = self.stations[(cid - 1) % len(self.stations)]
            if rng.random() < 0.03:
                held = self.today + timedelta(days=rng.randrange(1, 60))
                status = "planned"
            else:
                held = self.start + timedelta(days=rng.randrange(span))
                status = "cancelled" if rng.random() < 0.02 else "closed"
            centre = rng.choice(self.centres_of_force[station.force])
            if status == "closed":
                self.station_camps[station.id].append((held.toordinal(), cid, centre))
            rows.append(
                (
                    str(cid),
                    f"Camp {cid} at {station.name}",
                    held.isoformat(),
                    "10:00:00",
                    "15:00:00",
                    "Police Lines",
                    str(station.id),
                    str(centre),
                    "250",
                    status,
                )
            )
        for camps in self.station_camps.values():
            camps.sort()
        self.camp_days = {s: [c[0] for c in camps] for s, camps in self.station_camps.items()}
        names = [
            "id",
            "name",
            "held_on",
            "starts_at",
            "ends_at",
            "venue",
            "unit_id",
            "blood_centre_id",
            "target_donors",
            "status",
        ]
        self.copy(cursor, Camp, names, rows)

    # - donors -

    def donors(self, cursor):
        """Donors registered over the five years (older registrations more often), with the
        facts the donations need kept in compact lists."""
        from donors.models import Donor

        rng, n = self.rng, self.counts.donors
        today_ord, span = self.today.toordinal(), (self.today - self.start).days
        self.d_sex = bytearray(n + 1)  # 0 male, 1 female, 2 other
        self.d_station = [0] * (n + 1)
        self.d_registered = [0] * (n + 1)  # ordinal day
        self.d_weight = bytearray(n + 1)  # whole kilograms
        # A few donor ids per (force, group), for the children's circles.
        self.pool: dict[tuple[int, str], list[int]] = {}
        stations = self.stations
        now = self.now.isoformat()

        def rows():
            for i in range(1, n + 1):
                r = rng.random()
                sex = "M" if r < 0.75 else ("F" if r < 0.99 else "O")
                group = GROUPS[bisect.bisect(GROUP_CUM, rng.random() * GROUP_CUM[-1])]
                station = stations[rng.randrange(len(stations))]
                born = today_ord - rng.randrange(18 * 365 + 5, 64 * 365)
                registered = today_ord - int(span * math.sqrt(rng.random())) - 1
                weight = rng.randrange(46, 105)
                police = rng.random() < 0.3
                self.d_sex[i] = "MFO".index(sex)
                self.d_station[i] = station.id
                self.d_registered[i] = registered
                self.d_weight[i] = weight
                key = (station.force, group)
                pool = self.pool.setdefault(key, [])
                if len(pool) < 40:
                    pool.append(i)
                reg_at = f"{date.fromordinal(registered).isoformat()} 11:00:00+05:30"
                yield (
                    str(i),
                    f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} "
                    f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]}",
                    sex,
                    date.fromordinal(born).isoformat(),
                    group,
                    phone(i),
                    str(station.id),
                    "t" if police else "f",
                    RANKS[i % len(RANKS)] if police else "",
                    f"B{i}" if police else "",
                    f"{weight}.0",
                    "hi" if rng.random() < 0.8 else "en",
                    reg_at,
                    "2025-1",
                    "t" if rng.random() < 0.05 else "f",
                    PHENOTYPES[i % 4] if rng.random() < 0.02 else "",
                    "staff" if i % 5 else "import",
                    reg_at if rng.random() < 0.97 else r"\N",
                    reg_at,
                    now,
                )

        names = [
            "id",
            "name",
            "sex",
            "date_of_birth",
            "blood_group",
            "phone",
            "unit_id",
            "is_police",
            "rank",
            "badge_number",
            "weight_kg",
            "preferred_language",
            "consent_at",
            "consent_version",
            "living_blood_bank",
            "phenotype",
            "source",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        self.copy(cursor, Donor, names, rows())

    # - donations -

    def donations(self, cursor):
        """About five visits a donor over five years, at least the donor's interval apart
        (90 days men, 120 women and others), mostly at a camp of the donor's station, else
        at a blood centre of the force. 92 % collected, 7 % deferred at screening (with a
        screening deferral), 1 % adverse reaction."""
        from donors.models import Deferral, Donation

        rng, n = self.rng, self.counts.donors
        last_day = self.today.toordinal() - 1
        force_of = {u.id: u.force for u in self.tree}
        deferrals: list[tuple] = []
        # The donation rate per year: a fifth never came back, the rest 0.3–3.2 a year;
        # with registrations skewed older this gives about five visits a donor.
        mean_rate = DONATIONS_PER_DONOR / (YEARS * 2 / 3) / 0.8

        def rows():
            did = 0
            for i in range(1, n + 1):
                if rng.random() < 0.2:
                    continue
                sex = self.d_sex[i]
                interval = 90 if sex == 0 else 120
                registered = self.d_registered[i]
                window = last_day - registered
                rate = rng.uniform(0.2, 2 * mean_rate - 0.2)
                visits = min(int(rate * window / 365 + rng.random()), window // interval)
                if visits <= 0:
                    continue
                station = self.d_station[i]
                camp_days, camps = self.camp_days[station], self.station_camps[station]
                centres = self.centres_of_force[force_of[station]]
                weight = self.d_weight[i]
                slack = window - visits * interval
                offsets = sorted(rng.randrange(slack + 1) for _ in range(visits))
                previous = -(10**9)
                for k, offset in enumerate(offsets):
                    day = max(registered + 1 + offset + k * interval, previous + interval)
                    camp = r"\N"
                    centre = centres[did % len(centres)]
                    if rng.random() < 0.8:
                        at = bisect.bisect_left(camp_days, day)
                        if at < len(camps) and camps[at][0] - day <= 60:
                            day, camp_id, centre = camps[at]
                            camp = str(camp_id)
                    if day > last_day:
                        break
                    previous = day
                    did += 1
                    on = date.fromordinal(day).isoformat()
                    r = rng.random()
                    if r < 0.92:
                        outcome, hb = "collected", rng.randrange(125, 170)
                    elif r < 0.99:
                        outcome, hb = "deferred", rng.randrange(95, 125)
                        deferrals.append((i, on, date.fromordinal(day + 90).isoformat()))
                    else:
                        outcome, hb = "adverse_reaction", rng.randrange(125, 160)
                    drawn = outcome != "deferred"
                    yield (
                        str(did),
                        str(i),
                        on,
                        camp,
                        str(centre),
                        "whole_blood",
                        outcome,
                        ("450" if weight > 55 and did % 3 else "350") if drawn else r"\N",
                        f"BB{did:08d}" if drawn else "",
                        f"{hb / 10:.1f}",
                        f"{weight}.{did % 10}",
                        f"{on} 10:30:00+05:30",
                        str(rng.randrange(105, 140)),
                        str(rng.randrange(65, 90)),
                    )

        names = [
            "id",
            "donor_id",
            "donated_on",
            "camp_id",
            "blood_centre_id",
            "kind",
            "outcome",
            "bag_volume_ml",
            "bag_number",
            "haemoglobin_g_dl",
            "weight_kg",
            "recorded_at",
            "bp_systolic",
            "bp_diastolic",
        ]
        self.copy(cursor, Donation, names, rows())

        def deferral_rows():
            did = 0
            for donor, on, until in deferrals:
                did += 1
                yield (str(did), str(donor), "screening", on, until, f"{on} 10:45:00+05:30")
            # A few deferrals recorded outside a screening: tattoos, malaria, antibiotics,
            # minor surgery, and some permanent ones.
            for _ in range(n // 30):
                did += 1
                donor = rng.randrange(1, n + 1)
                category = rng.choice(list(DEFERRAL_DAYS))
                start = self.today - timedelta(days=rng.randrange(1, 400))
                until = (start + timedelta(days=DEFERRAL_DAYS[category])).isoformat()
                if rng.random() < 0.05:
                    category, until = "permanent", r"\N"
                on = start.isoformat()
                yield (str(did), str(donor), category, on, until, f"{on} 12:00:00+05:30")

        names = ["id", "donor_id", "category", "starts_on", "until", "recorded_at"]
        self.copy(cursor, Deferral, names, deferral_rows())

    # - children -

    def children(self, cursor):
        """Children at the stations, each with a guardian, a plan (1 unit / 21 days under
        ten, 2 units / 15 days older), a year of transfusions done and the next one open
        (5 % overdue), four donors of the child's own group from its force in its circle,
        and an assignment for one child in twenty."""
        from thalassemia.models import (
            Assignment,
            DonorCircle,
            Guardian,
            Patient,
            Transfusion,
            TransfusionPlan,
        )

        rng, count = self.rng, self.counts.children
        today = self.today
        patients, guardians, plans, transfusions, circles, assignments = [], [], [], [], [], []
        assigned: set[int] = set()
        tid = 0
        for pid in range(1, count + 1):
            station = self.stations[rng.randrange(len(self.stations))]
            group = GROUPS[bisect.bisect(GROUP_CUM, rng.random() * GROUP_CUM[-1])]
            if group == "Oh":
                group = "B+"
            age = rng.randrange(2, 18)
            older = age >= 10
            units, interval = (2, 15) if older else (1, 21)
            born = today - timedelta(days=age * 365 + rng.randrange(365))
            since = today - timedelta(days=rng.randrange(400, 1800))
            overdue = rng.random() < 0.05
            last_done = today - timedelta(
                days=interval + rng.randrange(1, 10) if overdue else rng.randrange(0, interval)
            )
            next_due = last_done + timedelta(days=interval)
            patients.append(
                (
                    str(pid),
                    f"Child {pid}",
                    born.isoformat(),
                    rng.choice("MF"),
                    group,
                    f"{(25 + age * 2.5 if older else 8 + age * 2.5):.1f}",
                    str(station.force + 1),
                    str(station.id),
                    "active" if rng.random() < 0.96 else "inactive",
                    f"{since.isoformat()} 12:00:00+05:30",
                    "2025-1",
                    f"Guardian {pid}",
                    next_due.isoformat(),
                    f"{since.isoformat()} 12:00:00+05:30",
                    self.now.isoformat(),
                )
            )
            guardian = f"+9160{(pid * 7_919_001 + 12_345) % 10**8:08d}"
            guardians.append((str(pid), str(pid), f"Guardian {pid}", "mother", guardian))
            plans.append((str(pid), str(pid), str(units), str(interval), since.isoformat()))
            hospital = str(station.force + 1)
            day = last_done - timedelta(days=interval * (365 // interval))
            while day <= last_done:
                tid += 1
                on = day.isoformat()
                hb = f"{rng.randrange(85, 105) / 10:.1f}"
                transfusions.append(
                    (str(tid), str(pid), on, "done", str(units), str(units), on, hb, hospital)
                )
                day += timedelta(days=interval)
            tid += 1
            status = "missed" if overdue else "due"
            transfusions.append(
                (str(tid), str(pid), next_due.isoformat(), status, str(units))
                + (r"\N", r"\N", r"\N", hospital)
            )
            pool = self.pool.get((station.force, group), [])
            members = rng.sample(pool, min(4, len(pool)))
            for order, donor in enumerate(members):
                circles.append(
                    (str(len(circles) + 1), str(pid), str(donor), str(order), since.isoformat())
                )
            if pid % 20 == 0:
                free = [d for d in members if d not in assigned]
                if free:
                    assigned.add(free[0])
                    on = next_due - timedelta(days=1)
                    assignments.append(
                        (
                            str(len(assignments) + 1),
                            str(tid),
                            str(free[0]),
                            "proposed",
                            on.isoformat(),
                            (on + timedelta(days=120)).isoformat(),
                            self.now.isoformat(),
                        )
                    )
        p_names = [
            "id",
            "name",
            "date_of_birth",
            "sex",
            "blood_group",
            "weight_kg",
            "hospital_id",
            "unit_id",
            "status",
            "consent_at",
            "consent_version",
            "consent_by",
            "next_due_on",
            "created_at",
            "updated_at",
        ]
        self.copy(cursor, Patient, p_names, patients)
        self.copy(cursor, Guardian, ["id", "patient_id", "name", "relation", "phone"], guardians)
        plan_names = ["id", "patient_id", "units_per_transfusion", "interval_days", "valid_from"]
        self.copy(cursor, TransfusionPlan, plan_names, plans)
        t_names = [
            "id",
            "patient_id",
            "due_on",
            "status",
            "units_needed",
            "units_given",
            "done_on",
            "pre_haemoglobin_g_dl",
            "hospital_id",
        ]
        self.copy(cursor, Transfusion, t_names, transfusions)
        c_names = ["id", "patient_id", "donor_id", "order", "joined_on"]
        self.copy(cursor, DonorCircle, c_names, circles)
        a_names = ["id", "transfusion_id", "donor_id", "status", "on", "blocks_until", "created_at"]
        self.copy(cursor, Assignment, a_names, assignments)
        # The calendar terms the forecast sums (Patient.plan_units …), from the plans just
        # copied, by the rule the calendar stores them with.
        from thalassemia.calendar import store_all_terms

        store_all_terms()

    # - personas -

    def users(self):
        """The benchmark's personas: the state admin, the coordinator of the first force
        and a staff member of that force's first station (passwords unusable)."""
        from accounts.models import PoliceUnit, User

        force = PoliceUnit.objects.get(code=self.force_units[0].code)
        station = PoliceUnit.objects.filter(path__startswith=force.path, kind="station")
        station = station.order_by("path").first()
        for username, role, unit in (
            ("bench-admin", "admin", None),
            ("bench-coordinator", "coordinator", force),
            ("bench-staff", "staff", station),
        ):
            user = User(
                username=username,
                role=role,
                unit=unit,
                is_staff=role == "admin",
                is_superuser=role == "admin",
                email=f"{username}@bloodbond.example",
            )
            user.set_unusable_password()
            user.save()


def refuse_unless_bench_database() -> str:
    """The database's name, or SystemExit unless it is PostgreSQL named ``bb_bench…``."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).startswith("bb_bench"):
        raise SystemExit(
            f"Refusing to seed {connection.vendor} database {name!r}: the seeder empties the "
            "database first. Point DATABASE_URL at a PostgreSQL database named bb_bench…"
        )
    return name


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="district")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database named bb_bench…")
    sys.path.insert(0, os.path.dirname(__file__))
    import common  # noqa: F401  (sets Django up)
    from django.core.management import call_command

    name = refuse_unless_bench_database()
    call_command("migrate", verbosity=0, interactive=False)
    counts = counts_for(args.scale)
    print(f"seeding {name} at {args.scale} scale: {counts}")
    figures = Seeder(counts, seed=args.seed).run()
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in figures.items() if k != "seconds"))
    print(f"seeded in {figures['seconds'] // 60} min {figures['seconds'] % 60} s")


if __name__ == "__main__":
    main()
