"""Where a donor list request spends its time: each of the registry's requests once warm,
under pyinstrument (a dev dependency), as the state admin and the district coordinator of a
database seeded by ``bench/seed.py``. Prints each profile's text tree (``--html DIR`` writes
them as pages too). Measures nothing the bench tables need; it says what to remove.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench_state \\
        uv run python bench/profile_lists.py [--only admin] [--match phone]"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import client_as  # noqa: F401  (sets Django up)
from pyinstrument import Profiler


def requests():
    from accounts.models import PoliceUnit, User
    from donors.models import Donor

    coordinator = User.objects.select_related("unit").get(username="bench-coordinator")
    force = coordinator.unit
    someone = Donor.objects.filter(unit__path__startswith=force.path).order_by("id").first()
    station = PoliceUnit.objects.filter(path__startswith=force.path).order_by("-depth", "path")[0]
    return [
        ("no filter", "/donors/", {}),
        ("eligible today", "/donors/", {"eligible_today": "true"}),
        ("full phone", "/donors/", {"q": someone.phone}),
        ("name", "/donors/", {"q": someone.name}),
        ("last 6 digits", "/donors/", {"q": someone.phone[-6:]}),
        ("one station", "/donors/", {"unit": station.code}),
        ("blood group", "/donors/", {"blood_group": "O-"}),
        ("api page 1", "/api/v1/donors/", {}),
        ("api eligible today", "/api/v1/donors/", {"eligible_today": "true"}),
        ("api name", "/api/v1/donors/", {"q": someone.name}),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="admin or coordinator")
    parser.add_argument("--match", help="profile only requests whose label holds this")
    parser.add_argument("--html", type=Path, help="write each profile as HTML here")
    parser.add_argument("--flat", action="store_true", help="functions by own time")
    parser.add_argument("--all", action="store_true", help="every frame, not only ours")
    args = parser.parse_args()
    who = {"admin": client_as("bench-admin"), "coordinator": client_as("bench-coordinator")}
    for persona, client in who.items():
        if args.only and persona != args.only:
            continue
        for label, url, params in requests():
            if args.match and args.match not in label:
                continue
            client.get(url, params)  # warm: imports, templates, the plan cache
            profiler = Profiler(interval=0.0005)
            profiler.start()
            response = client.get(url, params)
            profiler.stop()
            print(f"\n===== {persona}: {label} ({response.status_code}) =====")
            print(profiler.output_text(unicode=True, show_all=args.all, flat=args.flat))
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                name = f"{persona}-{label.replace(' ', '-')}.html"
                (args.html / name).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
