"""Periodic IMAP polling (run by Celery beat; `manage.py poll_email` does the same by hand or from cron)."""
import logging

from celery import shared_task

from conversations.models import Channel

from . import imap
from .adapter import EmailAdapter

logger = logging.getLogger(__name__)


def imap_channels():
    """Active email channels that have an IMAP mailbox to poll."""
    return [
        channel for channel in Channel.objects.filter(kind=EmailAdapter.kind, active=True)
        if channel.config.get("imap_host")
    ]


@shared_task(name="channels_adapters.email.poll_imap_channels", ignore_result=True)
def poll_imap_channels():
    for channel in imap_channels():
        poll_imap_channel.delay(str(channel.pk))


@shared_task(name="channels_adapters.email.poll_imap_channel", ignore_result=True)
def poll_imap_channel(channel_id):
    channel = Channel.objects.filter(pk=channel_id, kind=EmailAdapter.kind, active=True).first()
    if channel is None or not channel.config.get("imap_host"):
        return
    try:
        imap.poll_channel(channel)
    except imap.ImapPollError as exc:
        # The next beat tries again; the error stays on the channel's ImapCursor.
        logger.warning("%s", exc)
