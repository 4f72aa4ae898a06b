from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from conversations.models import Channel

from ...base import ProviderError
from ...registry import adapter_for
from ...urls_public import webhook_url


class Command(BaseCommand):
    help = "Register a channel's webhook URL with its provider again (Telegram's setWebhook), e.g. after a new token."

    def add_arguments(self, parser):
        parser.add_argument("channel", help="The channel UUID.")

    def handle(self, *args, channel, **options):
        try:
            found = Channel.objects.filter(pk=channel).first()
        except ValidationError:
            found = None
        if found is None:
            raise CommandError(f"No channel {channel}.")
        url = webhook_url(found)
        try:
            adapter_for(found).on_created(url)
        except ProviderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{found.name} ({found.kind}): webhook set to {url}.")
