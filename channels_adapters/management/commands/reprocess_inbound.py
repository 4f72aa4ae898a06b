from django.core.management.base import BaseCommand, CommandError

from conversations.actions.inbound_events import requeue
from conversations.models import RawInboundEvent


class Command(BaseCommand):
    help = "Process failed (or stuck pending) inbound webhook events again."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Raw event ids; default: every failed event.")
        parser.add_argument("--channel", help="Only events of this channel UUID.")
        parser.add_argument("--include-pending", action="store_true", help="Also events still pending.")

    def handle(self, *args, ids, channel, include_pending, **options):
        states = [RawInboundEvent.State.FAILED] + ([RawInboundEvent.State.PENDING] if include_pending else [])
        events = RawInboundEvent.objects.filter(state__in=states)
        if ids:
            events = events.filter(pk__in=ids)
        if channel:
            events = events.filter(channel_id=channel)
        queued = requeue(events.values_list("pk", flat=True))
        if ids and not queued:
            raise CommandError("None of these events is failed or pending.")
        self.stdout.write(f"{len(queued)} event(s) queued for processing.")
        remaining = RawInboundEvent.objects.filter(pk__in=queued, state=RawInboundEvent.State.FAILED).count()
        if remaining:
            self.stdout.write(f"{remaining} event(s) failed again; see their last_error.")
