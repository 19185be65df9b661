"""Donor registry at scale: the list page, its "eligible today" filter, the API list and one
donor's eligibility, for a coordinator (whole commissionerate) and a station user.

    uv run python bench/registry.py --donors 20000

Prints figures; asserts nothing about time."""

import argparse

from common import build_force, client_as, describe_database, make_donors, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--donors", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    build_force()
    make_donors(args.donors)
    from donors.models import Deferral, Donation, Donor

    print(
        f"database: {describe_database()}; donors {Donor.objects.count()}, "
        f"donations {Donation.objects.count()}, deferrals {Deferral.objects.count()}"
    )
    coordinator, station = client_as("coordinator"), client_as("kotwali")
    some = Donor.objects.filter(unit__code="knp-kotwali").first()
    runs = args.runs
    measure("list page, coordinator", lambda: coordinator.get("/donors/"), runs=runs)
    measure(
        "list page, coordinator, eligible today",
        lambda: coordinator.get("/donors/?eligible_today=true"),
        runs=runs,
    )
    measure(
        "list page, coordinator, search by phone",
        lambda: coordinator.get("/donors/?q=7000001234"),
        runs=runs,
    )
    measure("list page, station", lambda: station.get("/donors/"), runs=runs)
    measure("API list, coordinator", lambda: coordinator.get("/api/v1/donors/"), runs=runs)
    measure(
        "API eligibility of one donor",
        lambda: station.get(f"/api/v1/donors/{some.pk}/eligibility/"),
        runs=runs,
    )
    measure("donor detail page", lambda: station.get(f"/donors/{some.pk}/"), runs=runs)


if __name__ == "__main__":
    main()
