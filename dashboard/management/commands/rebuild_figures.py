from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboard.rollups import figures_rebuild


class Command(BaseCommand):
    help = "Rebuild every dashboard roll-up from the raw rows (the same result as the refresh)."

    def handle(self, *args, **options):
        as_of = figures_rebuild()
        self.stdout.write(f"Figures rebuilt, as of {timezone.localtime(as_of):%Y-%m-%d %H:%M}.")
