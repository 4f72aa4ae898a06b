"""`manage.py ingest_email`: one email on standard input, as Postfix or Exim pipe it."""
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations.models import Message, RawInboundEvent

from .conftest import fixture_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def pipe(channel_id, raw, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("ingest_email", str(channel_id), stdout=out)
    return out.getvalue()


def test_a_piped_email_is_stored_then_ingested(make_email_channel, monkeypatch):
    channel = make_email_channel()
    raw = fixture_bytes("07_iso8859_1_portuguese.eml")
    output = pipe(channel.pk, raw, monkeypatch)
    event = RawInboundEvent.objects.get()
    assert output.strip() == f"Accepted as raw event {event.pk}."
    assert bytes(event.body) == raw and event.method == "PIPE"
    assert event.state == RawInboundEvent.State.PROCESSED
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.conversation.customer.name == "João Conceição"


def test_the_same_email_piped_twice_is_one_message(make_email_channel, monkeypatch):
    channel = make_email_channel()
    pipe(channel.pk, fixture_bytes("01_plain_first_message.eml"), monkeypatch)
    pipe(channel.pk, fixture_bytes("01_plain_first_message.eml"), monkeypatch)
    assert RawInboundEvent.objects.count() == 2
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 1


def test_an_oversized_piped_email_is_recorded_not_dropped(make_email_channel, monkeypatch, settings):
    settings.EMAIL_MAX_MESSAGE_BYTES = 1000
    channel = make_email_channel()
    raw = fixture_bytes("04_html_inline_image_and_attachment.eml")
    pipe(channel.pk, raw, monkeypatch)
    event = RawInboundEvent.objects.get()
    assert bytes(event.body) == raw[:raw.index(b"\r\n\r\n") + 4]
    assert event.headers["X-OmniDesk-Original-Size"] == str(len(raw))
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.metadata["too_large"] == {"size": len(raw), "limit": 1000}
    assert message.external_id == "inline-0004@example.org"


def test_a_broken_email_is_kept_as_a_failed_event_for_a_human(make_email_channel, monkeypatch):
    channel = make_email_channel()
    pipe(channel.pk, b"Subject: nobody sent this\r\n\r\nhello\r\n", monkeypatch)
    event = RawInboundEvent.objects.get()
    assert event.state == RawInboundEvent.State.FAILED and "no sender address" in event.last_error
    assert not Message.objects.exists()


@pytest.mark.parametrize("channel_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_channel_is_ex_nouser(db, channel_id, monkeypatch):
    with pytest.raises(CommandError) as error:
        pipe(channel_id, fixture_bytes("01_plain_first_message.eml"), monkeypatch)
    assert error.value.returncode == 67
    assert not RawInboundEvent.objects.exists()


def test_another_kind_of_channel_is_ex_nouser(make_api_channel, monkeypatch):
    with pytest.raises(CommandError) as error:
        pipe(make_api_channel().pk, fixture_bytes("01_plain_first_message.eml"), monkeypatch)
    assert error.value.returncode == 67


def test_empty_input_is_ex_dataerr(make_email_channel, monkeypatch):
    with pytest.raises(CommandError) as error:
        pipe(make_email_channel().pk, b"", monkeypatch)
    assert error.value.returncode == 65
