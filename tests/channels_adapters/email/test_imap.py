"""IMAP polling against a real Dovecot: once and only once, across restarts and renumbered folders."""
import pytest
from django.core.cache import cache
from django.core.management import call_command

from channels_adapters.email import imap
from channels_adapters.email.models import ImapCursor
from channels_adapters.email.tasks import poll_imap_channels
from conversations.models import Message, RawInboundEvent

from .conftest import fixture_bytes
from .servers import free_port

pytestmark = pytest.mark.django_db(transaction=True)
IMPORTED = f"KEYWORD {imap.IMPORTED_KEYWORD}"


def numbered(number, sender="maria.teste@example.com"):
    """A distinct email (its own Message-ID) from `sender`."""
    return (fixture_bytes("01_plain_first_message.eml")
            .replace(b"first-0001", f"imap-{number:04d}".encode())
            .replace(b"maria.teste@example.com", sender.encode()))


def inbound_ids():
    return sorted(Message.objects.filter(direction=Message.Direction.INBOUND).values_list("external_id", flat=True))


@pytest.fixture
def channel(make_email_channel, imap_config):
    return make_email_channel(**imap_config)


def test_new_mail_is_recorded_ingested_and_flagged(channel, dovecot):
    dovecot.append(numbered(1))
    dovecot.append(fixture_bytes("07_iso8859_1_portuguese.eml"))
    result = imap.poll_channel(channel)
    assert result.imported == 2 and not result.busy
    events = list(RawInboundEvent.objects.order_by("id"))
    assert [bytes(event.body) for event in events] == [numbered(1), fixture_bytes("07_iso8859_1_portuguese.eml")]
    assert all(event.state == RawInboundEvent.State.PROCESSED and event.method == "IMAP" for event in events)
    assert events[0].path.endswith(";UID=1") and "UIDVALIDITY=" in events[0].path
    assert inbound_ids() == ["imap-0001@mail.example.com", "latin1-0007@example.com.br"]
    assert dovecot.uids(IMPORTED) == [1, 2] and dovecot.uids("UNSEEN") == []
    cursor = ImapCursor.objects.get(channel=channel)
    assert (cursor.folder, cursor.last_uid, cursor.last_error) == ("INBOX", 2, "")


def test_a_restart_between_polls_neither_duplicates_nor_misses(channel, dovecot):
    dovecot.append(numbered(1))
    dovecot.append(numbered(2))
    assert imap.poll_channel(channel).imported == 2
    assert imap.poll_channel(channel).imported == 0
    dovecot.stop()
    dovecot.start()
    dovecot.append(numbered(3))
    assert imap.poll_channel(channel).imported == 1
    assert RawInboundEvent.objects.count() == 3
    assert inbound_ids() == [f"imap-{n:04d}@mail.example.com" for n in (1, 2, 3)]


def test_mail_read_by_a_human_before_the_poll_is_still_taken(channel, dovecot):
    dovecot.append(numbered(1))
    client = dovecot.client()
    client.select("INBOX")
    client.uid("STORE", "1", "+FLAGS", "(\\Seen)")
    client.logout()
    assert imap.poll_channel(channel).imported == 1


def test_a_renumbered_folder_is_rescanned_without_duplicates(channel, dovecot):
    dovecot.append(numbered(1))
    dovecot.append(numbered(2))
    imap.poll_channel(channel)
    old_validity = ImapCursor.objects.get(channel=channel).uidvalidity
    dovecot.renumber()
    dovecot.append(numbered(3))
    result = imap.poll_channel(channel)
    assert result.renumbered and result.imported == 1
    assert ImapCursor.objects.get(channel=channel).uidvalidity != old_validity
    assert RawInboundEvent.objects.count() == 3
    assert inbound_ids() == [f"imap-{n:04d}@mail.example.com" for n in (1, 2, 3)]


def test_a_renumbered_folder_that_lost_our_flags_is_still_stored_once(channel, dovecot):
    dovecot.append(numbered(1))
    imap.poll_channel(channel)
    dovecot.renumber()
    client = dovecot.client()
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", f"({imap.IMPORTED_KEYWORD})")
    client.logout()
    dovecot.append(numbered(2))
    assert imap.poll_channel(channel).imported == 2  # taken again: the server forgot what we took
    assert RawInboundEvent.objects.count() == 3
    assert inbound_ids() == ["imap-0001@mail.example.com", "imap-0002@mail.example.com"]


def test_an_oversized_email_is_recorded_from_its_headers(channel, dovecot, settings):
    settings.EMAIL_MAX_MESSAGE_BYTES = 1000
    big = numbered(1).replace(b"Obrigada,", b"x" * 5000 + b"\r\nObrigada,")
    dovecot.append(big)
    assert imap.poll_channel(channel).imported == 1
    event = RawInboundEvent.objects.get()
    assert bytes(event.body).endswith(b"\r\n\r\n") and b"xxxx" not in bytes(event.body)
    assert event.headers["X-OmniDesk-Original-Size"] == str(len(big))
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.metadata["too_large"] == {"size": len(big), "limit": 1000}
    assert "not imported" in message.text and message.identity.address == "maria.teste@example.com"


def test_taken_mail_can_be_moved_to_another_folder(make_email_channel, imap_config, dovecot):
    dovecot.create_folder("Processed")
    channel = make_email_channel(imap_move_to="Processed", **imap_config)
    dovecot.append(numbered(1))
    assert imap.poll_channel(channel).imported == 1
    assert dovecot.uids() == [] and len(dovecot.uids(folder="Processed")) == 1
    dovecot.append(numbered(2))
    assert imap.poll_channel(channel).imported == 1
    assert inbound_ids() == ["imap-0001@mail.example.com", "imap-0002@mail.example.com"]


def test_the_periodic_task_polls_every_imap_channel(channel, dovecot, make_email_channel):
    make_email_channel(name="Sem IMAP")  # no imap_host: not polled
    dovecot.append(numbered(1))
    poll_imap_channels.delay()
    assert inbound_ids() == ["imap-0001@mail.example.com"]


def test_the_poll_command(channel, dovecot, capsys):
    dovecot.append(numbered(1))
    call_command("poll_email")
    assert "1 new message(s)" in capsys.readouterr().out


def test_one_poll_per_channel_at_a_time(channel, dovecot):
    dovecot.append(numbered(1))
    cache.add(f"email-imap-poll:{channel.pk}", "1", timeout=60)
    try:
        assert imap.poll_channel(channel).busy
    finally:
        cache.delete(f"email-imap-poll:{channel.pk}")
    assert not RawInboundEvent.objects.exists()
    assert imap.poll_channel(channel).imported == 1


def test_a_failed_login_is_recorded_on_the_cursor(make_email_channel, imap_config, dovecot):
    channel = make_email_channel(**{**imap_config, "imap_password": "wrong-password"})
    with pytest.raises(imap.ImapPollError):
        imap.poll_channel(channel)
    assert "MailboxLoginError" in ImapCursor.objects.get(channel=channel).last_error


def test_an_unreachable_server_is_recorded_on_the_cursor(make_email_channel, imap_config):
    channel = make_email_channel(**{**imap_config, "imap_port": free_port()})
    with pytest.raises(imap.ImapPollError):
        imap.poll_channel(channel)
    assert "ConnectionRefusedError" in ImapCursor.objects.get(channel=channel).last_error


def test_a_backlog_is_drained_in_one_poll(channel, dovecot, settings):
    settings.EMAIL_IMAP_BATCH_SIZE = 3
    settings.EMAIL_IMAP_FETCH_BYTES = 1  # one message per FETCH of bodies: the chunking is exercised too
    for number in range(1, 9):
        dovecot.append(numbered(number))
    assert imap.poll_channel(channel).imported == 8
    assert inbound_ids() == [f"imap-{n:04d}@mail.example.com" for n in range(1, 9)]
    assert dovecot.uids(f"NOT {IMPORTED}") == []
    assert ImapCursor.objects.get(channel=channel).last_uid == 8


def test_a_crash_in_the_middle_of_a_backlog_resumes_after_the_last_stored_batch(channel, dovecot, settings,
                                                                              monkeypatch):
    settings.EMAIL_IMAP_BATCH_SIZE = 3
    for number in range(1, 9):
        dovecot.append(numbered(number))
    real_accept, calls = imap.accept_email, []

    def dies_on_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise ConnectionResetError("worker killed")
        return real_accept(*args, **kwargs)

    monkeypatch.setattr(imap, "accept_email", dies_on_the_fifth)
    with pytest.raises(imap.ImapPollError):
        imap.poll_channel(channel)
    # The first batch is stored and behind the cursor; the half-done second one left no trace.
    assert ImapCursor.objects.get(channel=channel).last_uid == 3
    assert inbound_ids() == [f"imap-{n:04d}@mail.example.com" for n in range(1, 4)]
    monkeypatch.setattr(imap, "accept_email", real_accept)
    assert imap.poll_channel(channel).imported == 5
    assert RawInboundEvent.objects.count() == 8
    assert inbound_ids() == [f"imap-{n:04d}@mail.example.com" for n in range(1, 9)]


def test_a_draining_poll_keeps_its_channel_locked(channel, dovecot, settings, monkeypatch):
    settings.EMAIL_IMAP_BATCH_SIZE = 2
    for number in range(1, 6):
        dovecot.append(numbered(number))
    real_pending, seen_busy = imap._pending_uids, []

    def pending_while_a_second_poll_tries(*args):
        seen_busy.append(imap.poll_channel(channel).busy)
        return real_pending(*args)

    monkeypatch.setattr(imap, "_pending_uids", pending_while_a_second_poll_tries)
    assert imap.poll_channel(channel).imported == 5
    assert seen_busy == [True, True, True]  # first look and after each full batch: nobody else got in
    assert RawInboundEvent.objects.count() == 5
