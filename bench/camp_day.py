"""A camp day at Bac Giang's scale: 500 donors in one morning. Times the camp table (page,
phone lookup, recording one screening through the page), the camp page, the report and the
API with 500 donations already recorded.

    uv run python bench/camp_day.py --donations 500

Prints figures; asserts nothing about time."""

import argparse
import uuid
from datetime import timedelta
from itertools import count

from common import build_force, client_as, describe_database, make_donors, measure


def open_camp(donations: int):
    from django.utils import timezone

    from accounts.models import PoliceUnit
    from camps.models import BloodCentre, Camp
    from donors.models import Donation, Donor

    centre, _ = BloodCentre.objects.get_or_create(
        licence_number="BENCH/1", defaults={"name": "Bench Blood Centre"}
    )
    camp = Camp.objects.create(
        name="Bench camp",
        held_on=timezone.localdate(),
        venue="Police Lines",
        unit=PoliceUnit.objects.get(code="knp-kotwali"),
        blood_centre=centre,
        target_donors=donations,
        status="open",
    )
    donors = list(Donor.objects.order_by("id")[:donations])
    Donation.objects.bulk_create(
        Donation(
            donor=donor,
            donated_on=camp.held_on,
            camp=camp,
            blood_centre=centre,
            bag_volume_ml=350 if n % 3 else 450,
            bag_number=f"CAMP-{n:05d}",
            outcome="collected" if n % 10 else "deferred",
        )
        for n, donor in enumerate(donors)
    )
    return camp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--donations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    build_force()
    make_donors(args.donations + 2_000)
    camp = open_camp(args.donations)
    from django.utils import timezone

    from donors.models import Donor

    print(f"database: {describe_database()}; camp with {camp.donations.count()} entries")
    staff = client_as("kotwali")
    runs = args.runs
    measure("camp table page", lambda: staff.get(f"/camps/{camp.pk}/table/"), runs=runs)
    known = Donor.objects.order_by("-id").first()
    measure(
        "camp table: look up a phone (donor card + eligibility)",
        lambda: staff.get(
            f"/camps/{camp.pk}/table/lookup/", {"phone": known.phone[3:]}, HTTP_HX_REQUEST="true"
        ),
        runs=runs,
    )
    # Record a fresh walk-in each call: donors with no donation in the last 4 months.
    fresh = iter(
        Donor.objects.filter(donations__isnull=True, deferrals__isnull=True)
        .exclude(date_of_birth__lt=timezone.localdate() - timedelta(days=365 * 59))
        .filter(weight_kg__gte=56)
        .order_by("-id")
        .values_list("phone", flat=True)[: runs + 1]
    )
    bags = count(90_000)
    # As the table's card posts it: every screening value (blood pressure too, or the rules
    # refuse the unit and the refusal is what gets timed) and a client id per entry.
    measure(
        "camp table: record one collected unit (htmx post)",
        lambda: staff.post(
            f"/camps/{camp.pk}/table/record/",
            {
                "phone": next(fresh),
                "client_id": str(uuid.uuid4()),
                "outcome": "collected",
                "haemoglobin_g_dl": "13.5",
                "weight_kg": "70",
                "bp_systolic": "120",
                "bp_diastolic": "80",
                "bag_number": f"CAMP-{next(bags)}",
                "bag_volume_ml": "450",
            },
            HTTP_HX_REQUEST="true",
        ),
        runs=runs,
    )
    print(f"  (the camp now holds {camp.donations.count()} entries: each post recorded one)")
    measure("camp page (totals + donor list)", lambda: staff.get(f"/camps/{camp.pk}/"), runs=runs)
    measure(
        "camp report CSV",
        lambda: staff.get(f"/camps/{camp.pk}/report/?format=csv"),
        runs=runs,
    )
    measure("API camps list", lambda: staff.get("/api/v1/camps/"), runs=runs)
    measure(
        "API donations of the camp",
        lambda: staff.get(f"/api/v1/donations/?camp={camp.pk}"),
        runs=runs,
    )


if __name__ == "__main__":
    main()
