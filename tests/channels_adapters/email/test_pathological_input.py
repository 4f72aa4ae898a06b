"""Quote stripping and address parsing on 50 KB pathological input finish in under 100 ms each.

Measured as the CPU time of this thread (time.thread_time), so a busy
machine does not make it flaky: catastrophic backtracking or a quadratic
scan costs seconds, far above the budget.
"""
import time

import pytest

from channels_adapters.email.parser import message_ids, parse_message_bytes, sender_of
from channels_adapters.email.quotes import strip_reply
from conversations.actions.notifications import MENTION
from conversations.addresses import InvalidAddress, normalise_email, normalise_phone

SIZE = 50_000
BUDGET_SECONDS = 0.1

REPLIES = {
    "quotes then a line": "> a\n" * (SIZE // 4) + "x",
    "blank lines": "x" + "\n" * SIZE,
    "one line of spaces": " " * SIZE,
    "attribution without end": "On " + "a " * (SIZE // 2),
    "attribution starts": "On a\n" * (SIZE // 5),
    "header lines": "From: a\n" * (SIZE // 8),
    "sign-offs": "x\n" + "Sent from my iPhone\n" * (SIZE // 20),
    "rules": "________\n" * (SIZE // 9),
    "signature delimiters": "-- \n" * (SIZE // 4),
    "colons": "on" + " :" * (SIZE // 2),
}
FROM_HEADERS = {
    "quotes": '"' * SIZE,
    "angles": "<" * SIZE,
    "commas": "a@b," * (SIZE // 4),
    "nested comments": "(" * SIZE + "a@b.example",
    "backslashes": '"' + "\\" * SIZE,
    "many addresses": '"a"<b@c.example>,' * (SIZE // 17),
}
ADDRESSES = {
    "long local part": "a" * SIZE + "@" + "b" * SIZE,
    "dots": "a@" + "b." * (SIZE // 2),
    "labels": ("a" * 63 + ".") * (SIZE // 64) + "@x.com",
    "digits": "9" * SIZE,
    "spaced digits": "+" + "1 " * (SIZE // 2),
}


def cpu_seconds(function, *args):
    start = time.thread_time()
    try:
        function(*args)
    except (InvalidAddress, ValueError):
        pass
    return time.thread_time() - start


@pytest.mark.parametrize("name", sorted(REPLIES))
def test_quote_stripping_is_fast_on_pathological_text(name):
    assert cpu_seconds(strip_reply, REPLIES[name]) < BUDGET_SECONDS


@pytest.mark.parametrize("name", sorted(FROM_HEADERS))
def test_the_sender_of_a_pathological_from_header_is_found_fast(name):
    raw = (b"From: " + FROM_HEADERS[name].encode() + b"\r\nSubject: x\r\nMessage-ID: <" + b"<" * SIZE
           + b">\r\n\r\nbody")

    def parse():
        message = parse_message_bytes(raw)
        try:
            sender_of(message)
        except Exception as exc:  # no sender is a PayloadError: fine, as long as it is quick and not a crash
            assert exc.__class__.__name__ == "PayloadError"
        message_ids("<" * SIZE + "a@b" + ">" * SIZE)

    assert cpu_seconds(parse) < BUDGET_SECONDS


@pytest.mark.parametrize("name", sorted(ADDRESSES))
def test_address_normalisation_is_fast_on_pathological_input(name):
    assert cpu_seconds(normalise_email, ADDRESSES[name]) < BUDGET_SECONDS
    assert cpu_seconds(normalise_phone, ADDRESSES[name]) < BUDGET_SECONDS


@pytest.mark.parametrize("text", ["@" + "." * SIZE, "@a." * (SIZE // 3), "@" + "+." * (SIZE // 2)])
def test_mentions_in_notes_are_found_fast(text):
    assert cpu_seconds(MENTION.findall, text) < BUDGET_SECONDS
