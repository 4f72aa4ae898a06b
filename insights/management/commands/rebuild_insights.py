"""Recompute every report rollup from the messages, cycles and ratings (after an import, or a new business-time function)."""
from django.core.management.base import BaseCommand

from insights.actions.rollups import rebuild_rollups


class Command(BaseCommand):
    help = "Rebuild the insights rollups (cycle and response facts, hourly message counts) from scratch."

    def handle(self, *args, **options):
        rebuild_rollups()
        self.stdout.write("insights rollups rebuilt")
