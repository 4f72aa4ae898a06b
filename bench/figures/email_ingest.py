"""5. Email parse and ingest: mails per second through the email adapter and the one ingest action,
against the bare stdlib parse (email.message_from_bytes, policy=default) of the same corpus.

Written against the adapter registry: it reports "skipped" until an `email`
adapter is registered, and measures it as soon as one is.
"""
import email
import time
from email import policy

from django.db import transaction

from channels_adapters.registry import ADAPTERS, adapter_for
from channels_adapters.types import InboundMessage, RawRequest
from conversations.actions import directory
from conversations.actions.ingest import ingest_message

from .. import email_corpus
from ..stats import Figure, skipped

NUMBER = 5
TITLE = "email parse and ingest"
KIND = "email"
TIME_LIMIT_SECONDS = 240


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


def run(ctx):
    if KIND not in ADAPTERS:
        return [skipped(NUMBER, "email parse + ingest rate", "no email adapter")]
    corpus = email_corpus.generate(ctx.sizes.email_corpus)
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
    return [
        Figure(NUMBER, "email adapter parse (baseline: stdlib parse)", parse_rate, "mail/s", stdlib_rate),
        Figure(NUMBER, "email parse + ingest (baseline: stdlib parse)", ingest_rate, "mail/s", stdlib_rate),
    ]
