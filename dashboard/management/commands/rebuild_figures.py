from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboard.rollups import figures_rebuild, vacuum_rollups


class Command(BaseCommand):
    help = (
        "Rebuild every dashboard roll-up from the raw rows (the same result as the refresh),"
        " then VACUUM ANALYZE them (PostgreSQL)."
    )

    def handle(self, *args, **options):
        as_of = figures_rebuild()
        vacuum_rollups()  # the reads' index-only scans, from the first request
        self.stdout.write(f"Figures rebuilt, as of {timezone.localtime(as_of):%Y-%m-%d %H:%M}.")
