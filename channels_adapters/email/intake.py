"""Accepting one raw email from our own intake (a mail server's pipe, IMAP): stored first, processed after commit."""
from django.db import transaction

from conversations.actions.inbound_events import record_raw_event

from ..tasks import process_raw_event
from ..types import RawRequest
from .adapter import ORIGINAL_SIZE_HEADER, RAW_MIME_TYPE

SOURCE_HEADER = "X-OmniDesk-Source"


def accept_email(channel, raw, source, original_size=None, location=""):
    """Record `raw` as a RawInboundEvent of `channel` and have it processed after commit.

    With `original_size`, `raw` holds only the headers of an email over the
    size limit: it is recorded all the same, and shows as "too large".
    """
    headers = {SOURCE_HEADER: source}
    if original_size is not None:
        headers[ORIGINAL_SIZE_HEADER] = str(original_size)
    request = RawRequest(body=raw, headers=headers, content_type=RAW_MIME_TYPE, method=source.upper(), path=location)
    with transaction.atomic():
        event = record_raw_event(channel, request)
        transaction.on_commit(lambda: process_raw_event.delay(event.pk))
    return event
