"""`manage.py ingest_email <channel uuid> < message.eml`: a Postfix/Exim pipe into an email channel.

Exit codes follow sysexits.h so the mail server does the right thing:
0 accepted; 67 (EX_NOUSER) no such active email channel; 65 (EX_DATAERR)
empty input; 75 (EX_TEMPFAIL) we could not store it now, so the mail server
keeps the message and tries again later (nothing accepted is ever lost).
"""
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from conversations.models import Channel

from ...adapter import EmailAdapter
from ...intake import accept_email
from ...parser import header_block

EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 65, 67, 75
READ_CHUNK = 1024 * 1024


def read_limited(stream, limit):
    """(bytes, original size if over `limit`): over the limit, only the headers are kept, the rest is drained."""
    kept = bytearray()
    total = 0
    while chunk := stream.read(READ_CHUNK):
        total += len(chunk)
        if len(kept) <= limit:
            kept += chunk
    if total > limit:
        return header_block(bytes(kept)), total
    return bytes(kept), None


class Command(BaseCommand):
    help = "Accept one email (RFC 5322) from standard input on an email channel (for a mail server's pipe)."

    def add_arguments(self, parser):
        parser.add_argument("channel", help="UUID of the email channel.")

    def handle(self, *args, channel, **options):
        try:
            target = Channel.objects.filter(pk=channel, kind=EmailAdapter.kind, active=True).first()
        except ValidationError:
            target = None
        except DatabaseError as exc:
            raise CommandError(f"database unavailable, try again later: {exc}", returncode=EX_TEMPFAIL) from exc
        if target is None:
            raise CommandError(f"no active email channel {channel}", returncode=EX_NOUSER)
        raw, original_size = read_limited(sys.stdin.buffer, settings.EMAIL_MAX_MESSAGE_BYTES)
        if not raw.strip():
            raise CommandError("standard input is empty: expected one email", returncode=EX_DATAERR)
        try:
            event = accept_email(target, raw, "pipe", original_size=original_size)
        except DatabaseError as exc:
            raise CommandError(f"could not store the email, try again later: {exc}", returncode=EX_TEMPFAIL) from exc
        self.stdout.write(f"Accepted as raw event {event.pk}.")
