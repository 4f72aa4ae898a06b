"""`manage.py poll_email`: poll every IMAP email channel once (for embedded mode, cron, or a check by hand)."""
from django.core.management.base import BaseCommand

from ...imap import ImapPollError, poll_channel
from ...tasks import imap_channels


class Command(BaseCommand):
    help = "Fetch new mail of every active email channel that has an IMAP mailbox."

    def add_arguments(self, parser):
        parser.add_argument("--channel", help="Only this channel UUID.")

    def handle(self, *args, channel=None, **options):
        failed = 0
        for target in imap_channels():
            if channel and str(target.pk) != channel:
                continue
            try:
                result = poll_channel(target)
            except ImapPollError as exc:
                failed += 1
                self.stderr.write(str(exc))
                continue
            note = " (busy: another poll is running)" if result.busy else ""
            note += " (folder renumbered: re-scanned)" if result.renumbered else ""
            self.stdout.write(f"{target.name}: {result.imported} new message(s){note}.")
        if failed:
            raise SystemExit(1)
