"""5. Email parse and ingest: mails per second through the email adapter and the one ingest action,
against the bare stdlib parse (email.message_from_bytes, policy=default) of the same corpus and against
django-helpdesk 2.6.1 measured on this machine with the same corpus (67 mails/s from a local mail
directory, 54 over IMAP); then a mailbox backlog: the same number of waiting mails taken by one IMAP
poller from a real Dovecot, against the signed raw-MIME webhook, each until the Celery worker stored them all.

Written against the adapter registry: it reports "skipped" until an `email`
adapter is registered, and measures it as soon as one is.
"""
import asyncio
import email
import os
import time
from email import policy

from django.db import transaction

from channels_adapters.base import signed_headers
from channels_adapters.registry import ADAPTERS, adapter_for
from channels_adapters.types import InboundMessage, RawRequest
from conversations.actions import directory
from conversations.actions.ingest import ingest_message

from .. import email_corpus
from ..clients import closed_loop
from ..stack import wait_processed
from ..stats import Figure, at_least, skipped

NUMBER = 5
TITLE = "email parse and ingest"
KIND = "email"
TIME_LIMIT_SECONDS = 240
# How long the webhook's mails may take to be stored after the last post (the worker is the bottleneck).
STORE_LIMIT_SECONDS = 900
# django-helpdesk 2.6.1 (get_email) on the same 2,000 generated mails, same machine (issue 19).
PEER_LOCAL_DIR_RATE = 67
PEER_IMAP_RATE = 54
PEER_FACTOR = 5
# Mails waiting in a mailbox are stored within this factor of the time the webhook takes for them.
BACKLOG_TIME_FACTOR = 2
WEBHOOK_CLIENTS = 8
INBOUND_SECRET = "bench-email-inbound-secret-0123456789"


def _placeholder_config(adapter):
    """Values for the adapter's required keys: parse() only needs the channel's own address, if anything."""
    def value(key):
        if any(word in key for word in ("address", "email", "from", "user")):
            return email_corpus.MAILBOX
        if "port" in key:
            return "993"
        if "host" in key:
            return "127.0.0.1"
        return "bench-placeholder-value"

    return {key: value(key) for key in adapter.required_config}


def _raw(mail):
    return RawRequest(body=mail, headers={"Content-Type": "message/rfc822"}, content_type="message/rfc822")


def _timed(corpus, work):
    deadline = time.monotonic() + TIME_LIMIT_SECONDS
    started = time.perf_counter()
    done = 0
    for mail in corpus:
        work(mail)
        done += 1
        if time.monotonic() > deadline:
            break
    return done / (time.perf_counter() - started), done


def _in_process(ctx, corpus):
    channel = directory.create_channel(KIND, "Bench email", _placeholder_config(ADAPTERS[KIND]))
    adapter = adapter_for(channel)

    stdlib_rate, _ = _timed(corpus, lambda mail: email.message_from_bytes(mail, policy=policy.default))
    parse_rate, parsed = _timed(corpus, lambda mail: adapter.parse(_raw(mail)))

    def parse_and_ingest(mail):
        with transaction.atomic():
            for item in adapter.parse(_raw(mail)):
                if isinstance(item, InboundMessage):
                    ingest_message(channel, item)

    ingest_rate, ingested = _timed(corpus, parse_and_ingest)
    ctx.note(f"5 {len(corpus)} mails: stdlib parse {stdlib_rate:.0f}/s, adapter parse {parse_rate:.0f}/s "
             f"({parsed} parsed), parse + ingest {ingest_rate:.0f}/s ({ingested} ingested)")
    goal = PEER_FACTOR * PEER_LOCAL_DIR_RATE
    return [
        Figure(NUMBER, "email adapter parse (baseline: stdlib parse)", parse_rate, "mail/s", stdlib_rate),
        Figure(NUMBER, "email parse + ingest (baseline: stdlib parse)", ingest_rate, "mail/s", stdlib_rate),
        Figure(NUMBER, "email parse + ingest (baseline: django-helpdesk, local mail dir)", ingest_rate, "mail/s",
               PEER_LOCAL_DIR_RATE, f">= {PEER_FACTOR}x ({goal} mail/s)", at_least(ingest_rate, goal)),
    ]


def _webhook(ctx, corpus):
    """Seconds until every mail posted (signed raw MIME, several clients at once) is stored by the worker."""
    channel = directory.create_channel(KIND, "Bench email webhook", {"address": email_corpus.MAILBOX,
                                                                      "inbound_secret": INBOUND_SECRET})
    url = f"{ctx.web.base_url}/webhooks/{channel.pk}/"

    def request(number):
        body = corpus[number]
        return body, {"Content-Type": "message/rfc822", **signed_headers(INBOUND_SECRET, body)}

    started = time.perf_counter()
    posted = asyncio.run(closed_loop(url, request, WEBHOOK_CLIENTS, STORE_LIMIT_SECONDS, len(corpus)))
    stored = wait_processed(channel, STORE_LIMIT_SECONDS)
    return time.perf_counter() - started, stored, posted.statuses


def _imap(ctx, corpus, window):
    """Seconds until one poller took every waiting mail from a real Dovecot and the worker stored them all,
    waiting at most `window` seconds in all."""
    # The private Dovecot the email tests start (passwd-file user, maildir, a free port on 127.0.0.1).
    from tests.channels_adapters.email.servers import DOVECOT, IMAP_PASSWORD, IMAP_USER, Dovecot

    if not os.access(DOVECOT, os.X_OK):
        return None
    from channels_adapters.email import imap

    server = Dovecot()
    try:
        server.start()
        client = server.client()
        try:
            for mail in corpus:
                client.append("INBOX", None, None, mail)
        finally:
            client.logout()
        channel = directory.create_channel(KIND, "Bench email IMAP", {
            "address": email_corpus.MAILBOX, "imap_host": "127.0.0.1", "imap_port": server.port,
            "imap_security": "none", "imap_user": IMAP_USER, "imap_password": IMAP_PASSWORD})
        started = time.perf_counter()
        polled = imap.poll_channel(channel)
        taken = time.perf_counter() - started
        stored = wait_processed(channel, max(window - taken, 1))
        return time.perf_counter() - started, stored, polled.imported, taken
    finally:
        server.close()


def _backlog(ctx):
    count = ctx.sizes.email_backlog
    webhook_corpus = email_corpus.generate(count, domain="webhook.example")
    webhook_seconds, webhook_stored, statuses = _webhook(ctx, webhook_corpus)
    webhook_rate = webhook_stored / webhook_seconds
    ctx.note(f"5 webhook: {count} raw MIME posts ({WEBHOOK_CLIENTS} clients, statuses {statuses}) stored in "
             f"{webhook_seconds:.1f}s ({webhook_rate:.0f}/s, {webhook_stored} stored)")
    figures = [Figure(NUMBER, f"email webhook, {count:,} mails posted and stored", webhook_rate, "mail/s",
                      PEER_IMAP_RATE, note="baseline: django-helpdesk over IMAP")]
    window = BACKLOG_TIME_FACTOR * webhook_seconds
    measured = _imap(ctx, email_corpus.generate(count, domain="imap.example"), window)
    if measured is None:
        return figures + [skipped(NUMBER, "email IMAP backlog", "no Dovecot (apt-get install dovecot-imapd)")]
    imap_seconds, imap_stored, imported, poll_seconds = measured
    imap_rate = imap_stored / imap_seconds
    within = imap_stored == count and imap_seconds <= window
    ctx.note(f"5 IMAP: {count} waiting mails, one poll took {imported} in {poll_seconds:.1f}s; {imap_stored} stored "
             f"after {imap_seconds:.1f}s ({imap_rate:.0f}/s; webhook {webhook_seconds:.1f}s, window {window:.0f}s)")
    return figures + [
        Figure(NUMBER, f"email IMAP backlog, {count:,} waiting mails stored (baseline: the webhook)", imap_rate,
               "mail/s", webhook_rate, f"all within {BACKLOG_TIME_FACTOR}x the webhook's time", within),
        Figure(NUMBER, f"email IMAP backlog, {count:,} waiting mails stored (baseline: django-helpdesk IMAP)",
               imap_rate, "mail/s", PEER_IMAP_RATE),
    ]


def run(ctx):
    if KIND not in ADAPTERS:
        return [skipped(NUMBER, "email parse + ingest rate", "no email adapter")]
    figures = _in_process(ctx, email_corpus.generate(ctx.sizes.email_corpus))
    return figures + _backlog(ctx)
