"""IMAP polling with imap-tools: each new message recorded once, in UID order, across restarts and renumberings."""
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

from . import oauth
from .intake import accept_email
from .models import ImapCursor
from .parser import header_block
from .tls import client_context

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


DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}


def security(config):
    """ssl (implicit TLS), starttls or none; channels made before imap_security said it with imap_ssl."""
    return config.get("imap_security") or ("ssl" if config.get("imap_ssl", True) else "none")


def _mailbox(config):
    mode = security(config)
    port = int(config.get("imap_port") or DEFAULT_PORTS[mode])
    timeout = settings.EMAIL_IMAP_TIMEOUT_SECONDS
    host = config["imap_host"]
    if mode == "ssl":
        mailbox = MailBox(host, port, timeout=timeout, ssl_context=client_context(config))
    elif mode == "starttls":
        mailbox = MailBoxStartTls(host, port, timeout=timeout, ssl_context=client_context(config))
    else:
        mailbox = MailBoxUnencrypted(host, port, timeout=timeout)
    mailbox.email_message_class = RawMailMessage
    return mailbox


def _login(mailbox, channel, config, folder):
    """Log in with the channel's password, or with XOAUTH2 and a fresh access token for an OAuth2 mailbox."""
    if oauth.uses_oauth(config):
        return mailbox.xoauth2(config["imap_user"], oauth.access_token(channel), initial_folder=folder)
    return mailbox.login(config["imap_user"], config["imap_password"], initial_folder=folder)


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


def _chunks_by_size(sizes, budget):
    """The UIDs in order, cut into runs whose bodies together stay within `budget` bytes (at least one each)."""
    chunk, total = [], 0
    for uid, size in sizes:
        if chunk and total + size > budget:
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _fetch_batch(mailbox, uids, size_limit):
    """(uid, bytes to store, original size when only the headers were kept) of each UID still there, in UID order.

    One FETCH for every header and size of the batch, then as few FETCHes of whole messages as the
    memory budget allows: a backlog costs a handful of round trips per batch, not two per message.
    """
    uid_list = [str(uid) for uid in uids]
    headers = {int(message.uid): message
               for message in mailbox.fetch(uid_list=uid_list, headers_only=True, mark_seen=False, bulk=True)}
    wanted = [(uid, headers[uid].size_rfc822) for uid in uids if uid in headers]
    small = [(uid, size) for uid, size in wanted if size <= size_limit]
    bodies = {}
    for chunk in _chunks_by_size(small, settings.EMAIL_IMAP_FETCH_BYTES):
        for message in mailbox.fetch(uid_list=[str(uid) for uid in chunk], mark_seen=False, bulk=True):
            bodies[int(message.uid)] = message.raw
    taken = []
    for uid, size in wanted:
        if size > size_limit:
            taken.append((uid, header_block(headers[uid].raw), size))
        elif uid in bodies:  # else expunged between the two fetches
            taken.append((uid, bodies[uid], None))
    return taken


def _mark_taken(mailbox, uids, move_to):
    """Flag (and move) messages already recorded; a failure here loses nothing, the cursor is past them."""
    if not uids:
        return
    uid_list = [str(uid) for uid in uids]
    try:
        mailbox.flag(uid_list, [IMPORTED_KEYWORD, "\\Seen"], True)
        if move_to:
            mailbox.move(uid_list, move_to)
    except Exception as exc:  # imap-tools raises several unrelated types here
        logger.warning("could not flag/move IMAP messages %s-%s: %s", uid_list[0], uid_list[-1], exc)


def _import_batch(channel, cursor, mailbox, uids, location):
    """Record one batch and move the cursor past it, in one transaction: a crash resumes after the last UID."""
    taken = _fetch_batch(mailbox, uids, settings.EMAIL_MAX_MESSAGE_BYTES)
    with transaction.atomic():
        for uid, raw, original_size in taken:
            accept_email(channel, raw, "imap", original_size=original_size, location=f"{location}/;UID={uid}")
        cursor.last_uid = uids[-1]
        cursor.save(update_fields=["last_uid"])
    return [uid for uid, _raw, _size in taken]


def _poll(channel, cursor, config, lock):
    """Take every new message of the folder, batch after batch, until it is drained."""
    folder = config.get("imap_folder") or "INBOX"
    imported = 0
    with _login(_mailbox(config), channel, config, folder) as mailbox:
        uidvalidity = int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        location = f"imap://{config['imap_user']}@{config['imap_host']}/{folder};UIDVALIDITY={uidvalidity}"
        uids, renumbered = _pending_uids(mailbox, cursor, uidvalidity, folder)
        if renumbered:
            if cursor.uidvalidity is not None:
                logger.warning("IMAP folder %s of channel %s was renumbered (UIDVALIDITY %s -> %s)",
                               folder, channel.pk, cursor.uidvalidity, uidvalidity)
            cursor.folder, cursor.uidvalidity, cursor.last_uid = folder, uidvalidity, 0
            cursor.save(update_fields=["folder", "uidvalidity", "last_uid"])
        while uids:
            taken = _import_batch(channel, cursor, mailbox, uids, location)
            imported += len(taken)
            _mark_taken(mailbox, taken, config.get("imap_move_to"))
            if len(uids) < settings.EMAIL_IMAP_BATCH_SIZE:
                break  # the folder is drained
            # A full batch: more is waiting. Keep the channel ours while we go on at once.
            cache.touch(lock, settings.EMAIL_IMAP_LOCK_SECONDS)
            uids, _renumbered = _pending_uids(mailbox, cursor, uidvalidity, folder)
    return PollResult(imported=imported, renumbered=renumbered)


def poll_channel(channel):
    """Fetch what is new in the channel's IMAP folder; one poll per channel at a time."""
    lock = f"email-imap-poll:{channel.pk}"
    if not cache.add(lock, "1", timeout=settings.EMAIL_IMAP_LOCK_SECONDS):
        return PollResult(busy=True)
    try:
        cursor, _ = ImapCursor.objects.get_or_create(channel=channel, defaults={"folder": ""})
        try:
            result = _poll(channel, cursor, channel.config, lock)
        except Exception as exc:  # network, login, protocol: recorded on the cursor for the admin
            ImapCursor.objects.filter(pk=cursor.pk).update(
                last_polled_at=timezone.now(), last_error=f"{exc.__class__.__name__}: {exc}"[:2000])
            raise ImapPollError(f"IMAP poll of channel {channel.pk} failed: {exc}") from exc
        ImapCursor.objects.filter(pk=cursor.pk).update(last_polled_at=timezone.now(), last_error="")
        return result
    finally:
        cache.delete(lock)
