"""The dashboard at a force's scale: 20,000 donors with their donations, a 500-donor camp
and 150 children. Times the page, its exports and both API endpoints for an admin and a
station user.

    uv run python bench/dashboard_figures.py

Prints figures; asserts nothing about time."""

import argparse

from camp_day import open_camp
from children import register_children
from common import build_force, client_as, describe_database, make_donors, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--donors", type=int, default=20_000)
    parser.add_argument("--children", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    build_force()
    make_donors(args.donors)
    open_camp(500)
    register_children(args.children)
    from donors.models import Donation

    print(f"database: {describe_database()}; donations {Donation.objects.count()}")
    admin, station = client_as("admin"), client_as("kotwali")
    runs = args.runs
    year = "from=2025-01-01&to=2026-12-31"
    measure("dashboard page, admin, two years", lambda: admin.get(f"/dashboard/?{year}"), runs=runs)
    measure("dashboard page, station", lambda: station.get("/dashboard/"), runs=runs)
    measure("dashboard CSV, admin", lambda: admin.get("/dashboard/export/?format=csv"), runs=runs)
    measure("dashboard PDF, admin", lambda: admin.get("/dashboard/export/?format=pdf"), runs=runs)
    for by in ("month", "unit", "blood_group", "camp"):
        measure(
            f"API totals by {by}",
            lambda by=by: admin.get(f"/api/v1/dashboard/totals/?{year}&by={by}"),
            runs=runs,
        )
    measure(
        "API forecast, 90 days", lambda: admin.get("/api/v1/dashboard/forecast/?days=90"), runs=runs
    )


if __name__ == "__main__":
    main()
