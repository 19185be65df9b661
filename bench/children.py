"""Kanpur's children: 150 thalassaemia children (100 on 1 unit / 21 days, 50 on 2 units /
15 days) against a registry of 20,000 donors. Times the due-soon board, the children list,
matching for one child (page and API), the schedule API and the annual demand.

    uv run python bench/children.py --children 150 --donors 20000

Prints figures; asserts nothing about time."""

import argparse
import random
from datetime import timedelta

from common import (
    GROUP_WEIGHTS,
    GROUPS,
    build_force,
    client_as,
    describe_database,
    make_donors,
    measure,
    station_units,
)


def register_children(count: int) -> None:
    from datetime import date

    from django.utils import timezone

    from thalassemia.children import patient_create

    rng = random.Random(11)
    today = timezone.localdate()
    units = station_units()
    for n in range(count):
        older = n % 3 == 2
        patient_create(
            name=f"Child {n:03d}",
            sex=rng.choice("MF"),
            date_of_birth=date(2008 if older else 2017, 1, 1) + timedelta(days=rng.randrange(900)),
            blood_group=rng.choices(GROUPS[:8], GROUP_WEIGHTS[:8])[0],
            unit=rng.choice(units),
            units_per_transfusion=2 if older else 1,
            interval_days=15 if older else 21,
            last_transfused_on=today - timedelta(days=rng.randrange(0, 20)),
            guardians=[{"name": f"Guardian {n}", "relation": "mother", "phone": f"+9160{n:08d}"}],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=150)
    parser.add_argument("--donors", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    build_force()
    make_donors(args.donors)
    register_children(args.children)
    from django.utils import timezone

    from thalassemia.models import Patient, Transfusion
    from thalassemia.selectors import annual_units_total, units_needed_by_group

    print(
        f"database: {describe_database()}; children {Patient.objects.count()}, donors {args.donors}"
    )
    coordinator = client_as("coordinator")
    runs = args.runs
    child = Patient.objects.filter(blood_group="O+").first() or Patient.objects.first()
    due = Transfusion.objects.filter(patient=child).order_by("-due_on").first()
    on = (due.due_on if due else timezone.localdate()).isoformat()
    measure("due-soon board, coordinator", lambda: coordinator.get("/children/due/"), runs=runs)
    measure("children list, coordinator", lambda: coordinator.get("/children/"), runs=runs)
    measure(
        f"match page for one {child.blood_group} child",
        lambda: coordinator.get(f"/transfusions/{due.pk}/match/"),
        runs=runs,
    )
    measure(
        f"API matches for one {child.blood_group} child",
        lambda: coordinator.get(f"/api/v1/patients/{child.pk}/matches/", {"on": on}),
        runs=runs,
    )
    measure(
        "API schedule for a year",
        lambda: coordinator.get(
            f"/api/v1/patients/{child.pk}/schedule/",
            {"until": (timezone.localdate() + timedelta(days=365)).isoformat()},
        ),
        runs=runs,
    )
    measure("API patients list", lambda: coordinator.get("/api/v1/patients/"), runs=runs)
    from accounts.models import User

    user = User.objects.get(username="coordinator")
    needed = units_needed_by_group(365, user)
    print(f"units needed in the next 365 days, by group: {dict(needed)}")
    print(
        f"  total {sum(needed.values())}; the plans' annual demand (units × 365 / interval) is"
        f" {annual_units_total(user):.0f} (150 children all on 1/21 would need about 2,607)"
    )


if __name__ == "__main__":
    main()
