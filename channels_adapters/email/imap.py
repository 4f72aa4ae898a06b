"""IMAP polling with imap-tools: each new message recorded once, in UID order, across restarts and renumberings."""
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from imap_tools import MailBox, MailBoxUnencrypted, MailMessage

from .intake import accept_email
from .models import ImapCursor
from .parser import header_block

logger = logging.getLogger(__name__)

# Set on every message we took, so a renumbered folder (new UIDVALIDITY) is
# not imported twice. Servers without keywords simply match everything, and
# Message-ID idempotency at ingest still stores each message once.
IMPORTED_KEYWORD = "$OmniDesk"
NOT_IMPORTED = f"NOT KEYWORD {IMPORTED_KEYWORD}"


class ImapPollError(Exception):
    pass


class RawMailMessage(MailMessage):
    """A fetched message that keeps its exact bytes (what we store)."""

    def __init__(self, fetch_data):
        super().__init__(fetch_data)
        self.raw = self._get_message_data_parts(fetch_data)[0]


@dataclass(frozen=True)
class PollResult:
    imported: int = 0
    renumbered: bool = False
    busy: bool = False  # another poll of this channel was running


def _mailbox(config):
    use_ssl = config.get("imap_ssl", True)
    port = int(config.get("imap_port") or (993 if use_ssl else 143))
    timeout = settings.EMAIL_IMAP_TIMEOUT_SECONDS
    mailbox = (MailBox if use_ssl else MailBoxUnencrypted)(config["imap_host"], port, timeout=timeout)
    mailbox.email_message_class = RawMailMessage
    return mailbox


def _pending_uids(mailbox, cursor, uidvalidity, folder):
    """UIDs to take now, ascending; and whether the folder was renumbered since last time."""
    renumbered = cursor.uidvalidity != uidvalidity or cursor.folder != folder
    if renumbered:
        uids = mailbox.uids(NOT_IMPORTED)
    else:
        # "n:*" always includes the highest UID, even below n: filter again.
        uids = [uid for uid in mailbox.uids(f"UID {cursor.last_uid + 1}:* {NOT_IMPORTED}")
                if int(uid) > cursor.last_uid]
    return sorted(int(uid) for uid in uids)[:settings.EMAIL_IMAP_BATCH_SIZE], renumbered


def _fetch(mailbox, uid, size_limit):
    """(bytes to store, original size when only the headers were kept)."""
    headers = next(mailbox.fetch(uid_list=[str(uid)], headers_only=True, mark_seen=False), None)
    if headers is None:
        return None, None  # expunged meanwhile
    if headers.size_rfc822 > size_limit:
        return header_block(headers.raw), headers.size_rfc822
    message = next(mailbox.fetch(uid_list=[str(uid)], mark_seen=False), None)
    if message is None:
        return None, None
    return message.raw, None


def _mark_taken(mailbox, uid, move_to):
    """Flag (and move) a message already recorded; a failure here loses nothing, the cursor is past it."""
    try:
        mailbox.flag(str(uid), [IMPORTED_KEYWORD, "\\Seen"], True)
        if move_to:
            mailbox.move(str(uid), move_to)
    except Exception as exc:  # imap-tools raises several unrelated types here
        logger.warning("could not flag/move IMAP message %s: %s", uid, exc)


def _poll(channel, cursor, config):
    folder = config.get("imap_folder") or "INBOX"
    location = f"imap://{config['imap_user']}@{config['imap_host']}/{folder}"
    imported = 0
    with _mailbox(config).login(config["imap_user"], config["imap_password"], initial_folder=folder) as mailbox:
        uidvalidity = int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        uids, renumbered = _pending_uids(mailbox, cursor, uidvalidity, folder)
        if renumbered:
            if cursor.uidvalidity is not None:
                logger.warning("IMAP folder %s of channel %s was renumbered (UIDVALIDITY %s -> %s)",
                               folder, channel.pk, cursor.uidvalidity, uidvalidity)
            cursor.folder, cursor.uidvalidity, cursor.last_uid = folder, uidvalidity, 0
            cursor.save(update_fields=["folder", "uidvalidity", "last_uid"])
        for uid in uids:
            raw, original_size = _fetch(mailbox, uid, settings.EMAIL_MAX_MESSAGE_BYTES)
            with transaction.atomic():
                if raw is not None:
                    accept_email(channel, raw, "imap", original_size=original_size,
                                 location=f"{location};UIDVALIDITY={uidvalidity}/;UID={uid}")
                    imported += 1
                cursor.last_uid = uid
                cursor.save(update_fields=["last_uid"])
            if raw is not None:
                _mark_taken(mailbox, uid, config.get("imap_move_to"))
    return PollResult(imported=imported, renumbered=renumbered)


def poll_channel(channel):
    """Fetch what is new in the channel's IMAP folder; one poll per channel at a time."""
    lock = f"email-imap-poll:{channel.pk}"
    if not cache.add(lock, "1", timeout=settings.EMAIL_IMAP_LOCK_SECONDS):
        return PollResult(busy=True)
    try:
        cursor, _ = ImapCursor.objects.get_or_create(channel=channel, defaults={"folder": ""})
        try:
            result = _poll(channel, cursor, channel.config)
        except Exception as exc:  # network, login, protocol: recorded on the cursor for the admin
            ImapCursor.objects.filter(pk=cursor.pk).update(
                last_polled_at=timezone.now(), last_error=f"{exc.__class__.__name__}: {exc}"[:2000])
            raise ImapPollError(f"IMAP poll of channel {channel.pk} failed: {exc}") from exc
        ImapCursor.objects.filter(pk=cursor.pk).update(last_polled_at=timezone.now(), last_error="")
        return result
    finally:
        cache.delete(lock)
