"""Recompute every donor's stored standing (next_eligible_on and friends): after changing
an interval, a 12-month limit or the apheresis switch in settings (RULES_PROFILE too), or
after loading rows around the services (a COPY). The pool's periodic task does it by itself
when it sees the settings changed (donors.standing.refresh_if_stale). Then the eligible
pool's steps are rebuilt under the limits in force (donors.pool): after changing an age or
weight limit too."""

from django.core.management.base import BaseCommand

from donors import pool
from donors.standing import BATCH, refresh_all


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH)

    def handle(self, *args, batch, **options):
        written = refresh_all(batch=batch, out=self.stdout)
        self.stdout.write(f"{written} donors refreshed.")
        steps = pool.rebuild()
        self.stdout.write(f"Eligible pool: {steps} steps.")
